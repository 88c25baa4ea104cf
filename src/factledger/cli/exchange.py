"""`factledger import` and `factledger export`: JSONL, CSV, ClaimReview JSON-LD and (export only) WACZ.

The formats and their readers and writers are app/exchange.py's registries."""

from __future__ import annotations

import sys
from pathlib import Path

import rich_click as click

from factledger.app.exchange import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    WACZ,
    export_claims,
    export_wacz,
    import_file,
)
from factledger.cli.app import AppContext, examples, json_option, pass_app
from factledger.cli.output import info, print_json


@click.command(
    "import",
    epilog=examples(
        "factledger import jsonl claims.jsonl", "factledger import claimreview reviews.json --json"
    ),
)
@click.argument("format", type=click.Choice(IMPORT_FORMATS, case_sensitive=False))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_app
def import_command(app: AppContext, format: str, path: Path, as_json: bool) -> None:
    """Import claims with their evidence: all or nothing."""
    fmt = format.lower()
    result = import_file(app.creating_ledger, app.actor, fmt, path).as_dict()
    if as_json:
        print_json(result)
    else:
        info(
            f"imported {result['claims_created']} new claims, matched {result['claims_matched']} existing, "
            f"added {result['evidence_added']} evidence links to {result['sources']} sources"
        )


@click.command(
    "export",
    epilog=examples(
        "factledger export jsonl -o claims.jsonl", "factledger export wacz --claim 42 -o claim-42.wacz"
    ),
)
@click.argument("format", type=click.Choice(EXPORT_FORMATS, case_sensitive=False))
@click.option("--claim", "claim_id", type=int, help="Export only this claim.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@pass_app
def export_command(app: AppContext, format: str, claim_id: int | None, output: Path | None) -> None:
    """Export claims with their evidence (claimreview: the verdicts, as schema.org JSON-LD; wacz: an
    evidence bundle of the cited sources' archived captures, replayable in ReplayWeb.page and pywb)."""
    fmt = format.lower()
    if fmt == WACZ:
        _export_wacz(app, claim_id, output)
        return
    if fmt == "claimreview" and app.settings.publisher_is_placeholder:
        settings = app.settings
        info(
            f"warning: the publisher is still the placeholder ({settings.publisher_name}, "
            f"{settings.publisher_url}): set publisher_name and publisher_url in factledger.toml before "
            "publishing these reviews"
        )
    count = export_claims(app.ledger(), app.settings, fmt, claim_id, output, sys.stdout)
    if output is not None:
        info(f"exported {count} claims to {output}")


def _export_wacz(app: AppContext, claim_id: int | None, output: Path | None) -> None:
    if output is None:
        raise click.UsageError("export wacz writes a zip file: name it with -o FILE.wacz")
    if output.suffix != ".wacz":
        raise click.UsageError(f"a WACZ file name must end in .wacz, not {output.name!r}")
    summary = export_wacz(app.ledger(), app.archive_paths(), output, claim_id)

    def count(number: int, noun: str) -> str:
        return f"{number} {noun}{'' if number == 1 else 's'}"

    info(
        f"exported the evidence for {count(summary.claims, 'claim')} to {output}: "
        f"{count(summary.captures, 'capture')} of {count(summary.pages, 'page')}, {summary.bytes} bytes"
    )
    if summary.unresolved_revisits:
        info(
            f"note: {summary.unresolved_revisits} revisit records refer to a capture that was never "
            "archived and will not replay"
        )
