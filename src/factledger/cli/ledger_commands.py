"""`factledger init` and `factledger audit verify`: the ledger itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import rich_click as click

from factledger.cli.app import AppContext, examples, json_option, pass_app, redacted
from factledger.cli.output import info, print_json
from factledger.ledger.errors import LedgerError

if TYPE_CHECKING:
    from factledger.app.audit import AuditAnchor


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


@audit_group.command(
    "verify",
    epilog=examples(
        "factledger audit verify", "factledger audit verify --anchor anchors/2026-12-01.json --json"
    ),
)
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An anchor written earlier by `audit anchor`: also prove the log still extends it.",
)
@json_option
@pass_app
def audit_verify(app: AppContext, anchor_file: Path | None, as_json: bool) -> None:
    """Check the hash chain, replay it against every claim, and (with --anchor) that nothing was cut
    from its end; exit 1 naming the first bad event or claim."""
    from factledger.app.audit import verify_audit_log

    anchor = _read_anchor(anchor_file) if anchor_file is not None else None
    report = verify_audit_log(app.ledger(), anchor)
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "events": report.events_checked,
                "claims": report.claims_checked,
                "anchored": anchor is not None,
                "problem": report.problem,
                "bad_event_id": report.bad_event_id,
                "bad_claim_id": report.bad_claim_id,
            }
        )
    if not report.ok:
        raise LedgerError(f"audit log is broken: {report.problem}")
    if not as_json:
        extends = f"; it extends the anchor of {anchor.at:%Y-%m-%d %H:%M} UTC" if anchor else ""
        info(
            f"audit log intact: {report.events_checked} events verified, "
            f"{report.claims_checked} claims match their history{extends}"
        )


def _read_anchor(path: Path) -> AuditAnchor:
    from factledger.app.audit import parse_anchor

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"cannot read the anchor {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_anchor(text, str(path))


@audit_group.command(
    "anchor",
    epilog=examples("factledger audit anchor", "factledger audit anchor -o anchors/$(date +%F).json"),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the anchor to this file (default: standard output).",
)
@pass_app
def audit_anchor(app: AppContext, output: Path | None) -> None:
    """Write where the log ends now (event count, last event id, hash, time) as a small JSON document.

    Keep it somewhere the ledger's database cannot reach (a git repository, another machine, a
    published digest); `audit verify --anchor FILE` later proves the log still extends it."""
    from factledger.app.audit import anchor_audit_log

    anchor = anchor_audit_log(app.ledger())
    document = json.dumps(anchor.as_dict(), indent=2) + "\n"
    if output is None:
        click.echo(document, nl=False)
        return
    try:
        output.write_text(document, encoding="utf-8")
    except OSError as exc:
        raise LedgerError(f"cannot write the anchor to {output}: {exc.strerror or exc}") from None
    info(f"anchored the audit log at event {anchor.last_event_id} ({anchor.events} events) in {output}")
