"""`factledger cite` and `factledger sources …`."""

from __future__ import annotations

import click

from factledger.cli.app import AppContext, cli, json_option, pass_app
from factledger.cli.output import plain, print_json, print_table, stdout
from factledger.ledger import sources
from factledger.ledger.models import Source
from factledger.ledger.serialize import evidence_summary, source_summary
from factledger.ledger.statuses import parse_stance

# ---------------------------------------------------------------- sources and evidence


@cli.command()
@click.argument("claim_id", type=int)
@click.argument("url")
@click.option("--stance", required=True, help="supports, refutes or context.")
@click.option("--quote", help="The words in the source that bear on the claim.")
@click.option("--note", help="A note for reviewers.")
@json_option
@pass_app
def cite(
    app: AppContext, claim_id: int, url: str, stance: str, quote: str | None, note: str | None, as_json: bool
) -> None:
    """Attach a source URL to a claim as evidence."""
    parsed_stance = parse_stance(stance)
    with app.ledger().write() as session:
        evidence = sources.cite(session, app.actor, claim_id, url, parsed_stance, quote=quote, note=note)
        source = session.get(Source, evidence.source_id)
        assert source is not None
        summary = evidence_summary(evidence, source)
    if as_json:
        print_json(summary)
    else:
        stdout.print(plain(f"claim {claim_id} cites {summary['url']} ({summary['stance']})"))


@cli.group("sources")
def sources_group() -> None:
    """Archived sources and their health."""


@sources_group.command("list")
@click.option("--health", help="Only sources with this health (ok, gone, blocked, …).")
@click.option("--limit", type=click.IntRange(min=1), default=None)
@json_option
@pass_app
def sources_list(app: AppContext, health: str | None, limit: int | None, as_json: bool) -> None:
    """List sources with their health, checks and snapshot counts."""
    wanted = sources.parse_health(health) if health else None
    with app.ledger().read() as session:
        rows = [source_summary(row) for row in sources.list_sources(session, wanted, limit)]
    if as_json:
        print_json(rows)
        return
    print_table(
        None,
        ["id", "health", "url", "last check", "next check", "snapshots", "evidence"],
        [
            [
                r["id"],
                r["health"],
                r["url"],
                r["last_checked_at"],
                r["next_check_at"],
                r["snapshots"],
                r["evidence"],
            ]
            for r in rows
        ],
    )
