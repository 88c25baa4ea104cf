"""`factledger review`: the Textual review app over the configured ledger (started by tui/launch.py)."""

from __future__ import annotations

import rich_click as click

from factledger.cli.app import AppContext, examples, pass_app
from factledger.tui.launch import run_review


@click.command(epilog=examples("factledger review", "factledger --as mariam review"))
@pass_app
def review(app: AppContext) -> None:
    """Triage claims in the terminal: the keyboard-first review app (press ? inside for the keys)."""
    run_review(app.ledger(), app.settings)


__all__ = ["review"]
