"""Starting the review app from a command (``factledger review``, ``factledger demo``).

Textual is imported only when the app starts, so every other command stays quick to launch (the CLI
imports this module, never textual; see the import-linter contracts).
"""

from __future__ import annotations

import sys

from factledger.config import Settings
from factledger.ledger.database import Ledger
from factledger.ledger.errors import LedgerError


def on_a_terminal() -> bool:
    """Textual draws on stderr and reads stdin: both must be the terminal."""
    return sys.stdin.isatty() and sys.__stderr__ is not None and sys.__stderr__.isatty()


def run_review(ledger: Ledger, settings: Settings, *, allow_private_networks: bool | None = None) -> None:
    """Run the review app over ``ledger`` until the reviewer quits. ``allow_private_networks``
    overrides the setting for this session (the demo serves its own sources on 127.0.0.1)."""
    from factledger.tui.app import ReviewApp, ReviewConfig

    if not on_a_terminal():
        raise LedgerError("factledger review needs a terminal (stdin and stderr must be a TTY)")
    overrides = {} if allow_private_networks is None else {"allow_private_networks": allow_private_networks}
    ReviewApp(ledger, ReviewConfig.from_settings(settings, **overrides)).run()
