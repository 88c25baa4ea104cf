"""`factledger import` and `factledger export`: JSONL, CSV, ClaimReview JSON-LD and (export only) WACZ."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import click
from sqlalchemy.orm import Session

from factledger.cli.app import AppContext, cli, json_option, pass_app
from factledger.cli.output import info, print_json
from factledger.ledger import claims
from factledger.ledger.bulk.claim_import import ClaimRecord
from factledger.ledger.errors import LedgerError

IMPORT_FORMATS = ["jsonl", "csv", "claimreview"]
EXPORT_FORMATS = ["jsonl", "csv", "claimreview", "wacz"]


def _reader(fmt: str) -> Callable[[IO[bytes]], Iterable[ClaimRecord]]:
    # Imported lazily: each format's module loads only when it is used, which keeps startup quick.
    if fmt == "csv":
        from factledger.exchange.csv_format import read_csv

        return read_csv
    if fmt == "claimreview":
        from factledger.exchange.claimreview_import import read_claim_reviews

        return read_claim_reviews
    from factledger.exchange.jsonl import read_jsonl

    return read_jsonl


@cli.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(IMPORT_FORMATS))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_app
def import_command(app: AppContext, fmt: str, path: Path, as_json: bool) -> None:
    """Import claims with their evidence: all or nothing."""
    from factledger.ledger.bulk.claim_import import import_claims

    if not path.is_file():
        raise LedgerError(f"no such file: {path}")
    read = _reader(fmt)
    with path.open("rb") as stream, app.ledger().write() as session:
        stats = import_claims(session, app.actor, read(stream), origin=f"import {fmt} {path.name}")
    result = stats.as_dict()
    if as_json:
        print_json(result)
    else:
        info(
            f"imported {result['claims_created']} new claims, matched {result['claims_matched']} existing, "
            f"added {result['evidence_added']} evidence links to {result['sources']} sources"
        )


def _writer(app: AppContext, fmt: str, claim_id: int | None) -> Callable[[Session, IO[str]], int]:
    """A function that writes the chosen format for one session to a text stream and counts claims."""
    if fmt == "claimreview":
        from factledger.exchange import claimreview

        settings = app.settings
        publisher = claimreview.Publisher(
            settings.publisher_name, settings.publisher_url, settings.claimreview_base_url
        )
        if settings.publisher_is_placeholder:
            info(
                f"warning: the publisher is still the placeholder ({publisher.name}, {publisher.url}): "
                "set publisher_name and publisher_url in factledger.toml before publishing these reviews"
            )
        if claim_id is not None:
            # One claim is published as one object, the way a review page embeds it.
            def write_one(session: Session, stream: IO[str]) -> int:
                review = claimreview.reviewed_claim(session, claim_id, publisher)
                stream.write(json.dumps(review, ensure_ascii=False, indent=2) + "\n")
                return 1

            return write_one
        return lambda session, stream: claimreview.write_claim_reviews(
            claimreview.iter_claim_reviews(session, publisher), stream
        )

    from factledger.exchange.jsonl import iter_export, write_jsonl

    write_records: Callable[[Iterator[dict[str, Any]], IO[str]], int] = write_jsonl
    if fmt == "csv":
        from factledger.exchange.csv_format import write_csv

        write_records = write_csv
    return lambda session, stream: write_records(iter_export(session, claim_id), stream)


@cli.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(EXPORT_FORMATS))
@click.option("--claim", "claim_id", type=int, help="Export only this claim.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@pass_app
def export_command(app: AppContext, fmt: str, claim_id: int | None, output: Path | None) -> None:
    """Export claims with their evidence (claimreview: the verdicts, as schema.org JSON-LD; wacz: an
    evidence bundle of the cited sources' archived captures, replayable in ReplayWeb.page and pywb)."""
    if fmt == "wacz":
        _export_wacz(app, claim_id, output)
        return
    write = _writer(app, fmt, claim_id)
    with app.ledger().read() as session:
        if claim_id is not None:
            claims.get_claim(session, claim_id)
        if output is None:
            write(session, sys.stdout)
            return
        # Write beside the target and rename, so a failed export never leaves half a file behind.
        partial = output.with_name(output.name + ".partial")
        try:
            # newline="": the CSV writer picks its own line endings (RFC 4180's CRLF).
            with partial.open("w", encoding="utf-8", newline="") as stream:
                count = write(session, stream)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)
    info(f"exported {count} claims to {output}")


def _export_wacz(app: AppContext, claim_id: int | None, output: Path | None) -> None:
    if output is None:
        raise click.UsageError("export wacz writes a zip file: name it with -o FILE.wacz")
    if output.suffix != ".wacz":
        raise click.UsageError(f"a WACZ file name must end in .wacz, not {output.name!r}")
    from factledger.archive.runner import ArchivePaths
    from factledger.exchange.wacz import write_wacz

    with app.ledger().read() as session:
        summary = write_wacz(session, ArchivePaths.under(app.settings.home).warcs, output, claim_id=claim_id)

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
