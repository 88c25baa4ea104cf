"""`factledger import` and `factledger export`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from factledger.cli.app import AppContext, cli, json_option, pass_app
from factledger.cli.output import info, print_json
from factledger.ledger import claims
from factledger.ledger.errors import LedgerError

# ---------------------------------------------------------------- exchange


@cli.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["jsonl"]))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_app
def import_command(app: AppContext, fmt: str, path: Path, as_json: bool) -> None:
    """Import claims with their evidence: all or nothing."""
    from factledger.exchange.jsonl import read_jsonl
    from factledger.ledger.bulk import import_claims

    if not path.is_file():
        raise LedgerError(f"no such file: {path}")
    with path.open("rb") as stream, app.ledger().write() as session:
        stats = import_claims(session, app.actor, read_jsonl(stream), origin=f"import {fmt} {path.name}")
    result = stats.as_dict()
    if as_json:
        print_json(result)
    else:
        info(
            f"imported {result['claims_created']} new claims, matched {result['claims_matched']} existing, "
            f"added {result['evidence_added']} evidence links to {result['sources']} sources"
        )


@cli.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["jsonl"]))
@click.option("--claim", "claim_id", type=int, help="Export only this claim.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@pass_app
def export_command(app: AppContext, fmt: str, claim_id: int | None, output: Path | None) -> None:
    """Export claims with their evidence."""
    from factledger.exchange.jsonl import iter_export, write_jsonl

    with app.ledger().read() as session:
        if claim_id is not None:
            claims.get_claim(session, claim_id)
        if output is None:
            write_jsonl(iter_export(session, claim_id), sys.stdout)
            return
        # Write beside the target and rename, so a failed export never leaves half a file behind.
        partial = output.with_name(output.name + ".partial")
        with partial.open("w", encoding="utf-8") as stream:
            count = write_jsonl(iter_export(session, claim_id), stream)
        partial.replace(output)
    info(f"exported {count} claims to {output}")
