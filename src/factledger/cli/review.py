"""`factledger review`: the Textual review app over the configured ledger.

Textual is imported only when the app starts, so every other command stays quick to launch (and the
CLI package itself never imports textual; see the import-linter contracts).
"""

from __future__ import annotations

import sys

from factledger.cli.app import AppContext, cli, pass_app
from factledger.config import Settings
from factledger.ledger.database import Ledger
from factledger.ledger.errors import LedgerError


def run_review(source: AppContext | Ledger, settings: Settings | None = None) -> None:
    """Run the review app until the reviewer quits. ``factledger demo`` ends here too.

    ``source`` is the command's AppContext (its ledger and settings are used) or an open Ledger with
    the Settings to run it with."""
    from factledger.tui.app import ReviewApp, ReviewConfig

    if isinstance(source, AppContext):
        ledger, settings = source.ledger(), settings or source.settings
    else:
        if settings is None:
            raise TypeError("run_review(ledger, settings): settings are required with a bare Ledger")
        ledger = source
    # Textual draws on stderr and reads stdin: both must be the terminal.
    if not (sys.stdin.isatty() and sys.__stderr__ is not None and sys.__stderr__.isatty()):
        raise LedgerError("factledger review needs a terminal (stdin and stderr must be a TTY)")
    ReviewApp(ledger, ReviewConfig.from_settings(settings)).run()


@cli.command()
@pass_app
def review(app: AppContext) -> None:
    """Triage claims in the terminal: the keyboard-first review app (press ? inside for the keys)."""
    run_review(app)


__all__ = ["review", "run_review"]
