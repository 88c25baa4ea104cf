"""`factledger init` and `factledger audit verify`: the ledger itself."""

from __future__ import annotations

import rich_click as click

from factledger.cli.app import AppContext, examples, json_option, pass_app, redacted
from factledger.cli.output import info, print_json
from factledger.ledger.errors import LedgerError


@click.command(epilog=examples("factledger init", "factledger --db postgresql://desk@db/ledger init"))
@json_option
@pass_app
def init(app: AppContext, as_json: bool) -> None:
    """Create the ledger, or upgrade it to this version's schema."""
    from factledger.app.schema import init_ledger

    change = init_ledger(app.settings.database_url)
    result = {"database": redacted(app.settings.database_url), "from": change.before, "schema": change.after}
    if as_json:
        print_json(result)
    elif change.before == change.after:
        info(f"ledger at {result['database']} is up to date (schema {change.after})")
    else:
        info(f"ledger at {result['database']} upgraded from {change.before or 'nothing'} to {change.after}")


@click.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify", epilog=examples("factledger audit verify", "factledger audit verify --json"))
@json_option
@pass_app
def audit_verify(app: AppContext, as_json: bool) -> None:
    """Check the hash chain of every event; exit 1 naming the first bad one."""
    from factledger.app.claims import verify_audit_log

    report = verify_audit_log(app.ledger())
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "events": report.events_checked,
                "problem": report.problem,
                "bad_event_id": report.bad_event_id,
            }
        )
    if not report.ok:
        raise LedgerError(f"audit log is broken: {report.problem}")
    if not as_json:
        info(f"audit log intact: {report.events_checked} events verified")
