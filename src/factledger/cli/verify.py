"""`factledger verify`: (re)check evidence quotes against the newest archived text of their sources."""

from __future__ import annotations

import click

from factledger.app.verify import verify as verify_evidence
from factledger.cli.app import ROW_ID, AppContext, cli, json_option, pass_app
from factledger.cli.output import info, plain, print_json, print_table


@cli.command()
@click.option("--claim", "claim_id", type=ROW_ID, help="Only this claim's evidence.")
@json_option
@pass_app
def verify(app: AppContext, claim_id: int | None, as_json: bool) -> None:
    """Check each evidence quote against its source's latest snapshot; update suggested verdicts."""
    results = verify_evidence(app.ledger(), app.actor, app.archive_paths(), claim_id)
    if as_json:
        print_json([result.as_dict() for result in results])
        return
    print_table(
        None,
        ["claim", "evidence", "stance", "quote status", "score", "url", "why"],
        [
            [r.claim_id, r.evidence_id, r.stance, r.quote_status, r.score, r.url, plain("; ".join(r.detail))]
            for r in results
        ],
    )
    lost = sum(1 for r in results if r.lost)
    info(f"checked {len(results)} evidence quotes" + (f"; {lost} no longer on their source" if lost else ""))
