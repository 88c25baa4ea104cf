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
    InvalidRecords,
    Rejected,
    export_claims,
    export_wacz,
    import_file,
)
from factledger.cli.app import ROW_ID, AppContext, examples, json_option, pass_app
from factledger.cli.output import error, info, print_json
from factledger.files import OutputPathError


@click.command(
    "import",
    epilog=examples(
        "factledger import jsonl claims.jsonl", "factledger import jsonl factchecks.jsonl --skip-invalid"
    ),
)
@click.argument("format", type=click.Choice(IMPORT_FORMATS, case_sensitive=False))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid claims and write the bad ones, with the reason beside each, to FILE.rejects.jsonl.",
)
@json_option
@pass_app
def import_command(app: AppContext, format: str, path: Path, skip_invalid: bool, as_json: bool) -> None:
    """Import claims with their evidence: all or nothing, unless --skip-invalid.

    Every bad line (or ClaimReview item) is reported in one run: the first 100 with line, field and
    value, then how many more."""
    fmt = format.lower()
    try:
        outcome = import_file(app.creating_ledger, app.actor, fmt, path, skip_invalid=skip_invalid)
    except InvalidRecords as exc:
        _report_rejections(exc.shown, exc.total, as_json)
        raise
    result = outcome.as_dict()
    if as_json:
        print_json(result | {"rejections": [r.as_dict() for r in outcome.shown]} if skip_invalid else result)
    else:
        info(
            f"imported {result['claims_created']} new claims, matched {result['claims_matched']} existing, "
            f"added {result['evidence_added']} evidence links to {result['sources']} sources"
        )
    if skip_invalid:
        if not as_json:
            _report_rejections(outcome.shown, outcome.rejected, False, skipped=True)
        info(f"rejected {outcome.rejected}, written to {outcome.rejects_file}")


def _report_rejections(shown: list[Rejected], total: int, as_json: bool, *, skipped: bool = False) -> None:
    """One line each on stderr for the first ones, then how many more: errors when they stopped the
    import, notes (``rejected: …``) when --skip-invalid set them aside."""
    if as_json:
        print_json({"rejected": total, "rejections": [r.as_dict() for r in shown]})
        return
    say = (lambda line: info(f"rejected: {line}")) if skipped else error
    for rejected in shown:
        say(rejected.describe())
    if total > len(shown):
        say(f"… and {total - len(shown)} more not shown")


@click.command(
    "export",
    epilog=examples(
        "factledger export jsonl -o claims.jsonl", "factledger export wacz --claim 42 -o claim-42.wacz"
    ),
)
@click.argument("format", type=click.Choice(EXPORT_FORMATS, case_sensitive=False))
@click.option("--claim", "claim_id", type=ROW_ID, help="Export only this claim.")
@click.option(
    "-o",
    "--output",
    "output_name",
    type=click.Path(dir_okay=False),
    help="File to write (default: stdout; `-` is stdout too).",
)
@pass_app
def export_command(app: AppContext, format: str, claim_id: int | None, output_name: str | None) -> None:
    """Export claims with their evidence (claimreview: the verdicts, as schema.org JSON-LD; wacz: an
    evidence bundle of the cited sources' archived captures, replayable in ReplayWeb.page and pywb).

    The file is written beside its name and renamed into place when complete; a FIFO or a device is
    written as it is."""
    if output_name == "":  # Path("") would be ".", the current directory
        raise OutputPathError("the output file name is empty")
    output = Path(output_name) if output_name is not None else None
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
        f"{count(summary.captures, 'capture')} of {count(summary.pages, 'page')}"
        + (f", {summary.bytes} bytes" if summary.bytes is not None else "")
    )
    if summary.unresolved_revisits:
        info(
            f"note: {summary.unresolved_revisits} revisit records refer to a capture that was never "
            "archived and will not replay"
        )
