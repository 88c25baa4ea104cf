"""`factledger verify`: (re)check evidence quotes against the newest archived text of their sources."""

from __future__ import annotations

import rich_click as click

from factledger.app.verify import verify as verify_evidence
from factledger.cli.app import ROW_ID, AppContext, examples, pass_app
from factledger.cli.output import Column, info, list_format_options, plain, print_records

VERIFY_COLUMNS = [
    Column("claim", lambda r: r["claim_id"]),
    Column("evidence", lambda r: r["evidence_id"]),
    Column("stance", lambda r: r["stance"]),
    Column("quote status", lambda r: r["quote_status"]),
    Column("score", lambda r: r["score"]),
    Column("url", lambda r: r["url"]),
    Column("why", lambda r: plain("; ".join(r["quote_detail"] or []))),
]


@click.command(epilog=examples("factledger verify", "factledger verify --claim 42 --json"))
@click.option("--claim", "claim_id", type=ROW_ID, help="Only this claim's evidence.")
@list_format_options
@pass_app
def verify(app: AppContext, claim_id: int | None, fmt: str | None) -> None:
    """Check each evidence quote against its source's latest snapshot; update suggested verdicts."""
    results = verify_evidence(app.ledger(), app.actor, app.archive_paths(), claim_id)
    print_records(fmt, [result.as_dict() for result in results], VERIFY_COLUMNS)
    if fmt is None:
        lost = sum(1 for r in results if r.lost)
        info(
            f"checked {len(results)} evidence quotes"
            + (f"; {lost} no longer on their source" if lost else "")
        )
