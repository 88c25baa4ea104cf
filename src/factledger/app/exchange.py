"""The import and export formats, by name: ``factledger import`` and ``factledger export``.

Each format's module is imported when it is used, not when this one is, which keeps the CLI quick to
start. Imports are all or nothing (one transaction); an export to a file is written beside it and
renamed, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from factledger.archive.capture_store import open_store
from factledger.archive.runner import ArchivePaths
from factledger.config import Settings
from factledger.ledger import claims
from factledger.ledger.bulk.claim_import import ClaimRecord, ImportStats
from factledger.ledger.database import Ledger
from factledger.ledger.errors import LedgerError

if TYPE_CHECKING:  # the WACZ writer (and its indexer) loads only for a WACZ export
    from factledger.exchange.wacz import WaczSummary

Reader = Callable[[IO[bytes]], Iterable[ClaimRecord]]
# Writes the claims of one read transaction to a text stream and returns how many it wrote.
Writer = Callable[[Session, IO[str]], int]


def _jsonl_reader() -> Reader:
    from factledger.exchange.jsonl import read_jsonl

    return read_jsonl


def _csv_reader() -> Reader:
    from factledger.exchange.csv_format import read_csv

    return read_csv


def _claimreview_reader() -> Reader:
    from factledger.exchange.claimreview_import import read_claim_reviews

    return read_claim_reviews


def _records_writer(fmt: str, claim_id: int | None) -> Writer:
    from factledger.exchange.jsonl import iter_export, write_jsonl

    write_records: Callable[[Iterator[dict[str, Any]], IO[str]], int] = write_jsonl
    if fmt == "csv":
        from factledger.exchange.csv_format import write_csv

        write_records = write_csv
    return lambda session, stream: write_records(iter_export(session, claim_id), stream)


def _jsonl_writer(_settings: Settings, claim_id: int | None) -> Writer:
    return _records_writer("jsonl", claim_id)


def _csv_writer(_settings: Settings, claim_id: int | None) -> Writer:
    return _records_writer("csv", claim_id)


def _claimreview_writer(settings: Settings, claim_id: int | None) -> Writer:
    from factledger.exchange import claimreview

    publisher = claimreview.Publisher(
        settings.publisher_name, settings.publisher_url, settings.claimreview_base_url
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


READERS: dict[str, Callable[[], Reader]] = {
    "jsonl": _jsonl_reader,
    "csv": _csv_reader,
    "claimreview": _claimreview_reader,
}
WRITERS: dict[str, Callable[[Settings, int | None], Writer]] = {
    "jsonl": _jsonl_writer,
    "csv": _csv_writer,
    "claimreview": _claimreview_writer,
}
WACZ = "wacz"  # the evidence bundle: archived captures rather than claims (export_wacz)
IMPORT_FORMATS = list(READERS)
EXPORT_FORMATS = [*WRITERS, WACZ]


def import_file(open_ledger: Callable[[], Ledger], actor: str, fmt: str, path: Path) -> ImportStats:
    """Import the claims (with their evidence) in ``path``, all or nothing. The ledger is opened
    (``open_ledger``) only once the file is known to exist, so a wrong path creates no ledger."""
    from factledger.ledger.bulk.claim_import import import_claims

    if not path.is_file():
        raise LedgerError(f"no such file: {path}")
    read = READERS[fmt]()
    with path.open("rb") as stream, open_ledger().write() as session:
        return import_claims(session, actor, read(stream), origin=f"import {fmt} {path.name}")


def export_claims(
    ledger: Ledger,
    settings: Settings,
    fmt: str,
    claim_id: int | None,
    output: Path | None,
    stdout: IO[str],
) -> int:
    """Write every claim (or one) in ``fmt`` to ``output``, or to ``stdout`` when it is None; returns
    how many claims were written. NotFoundError for an unknown claim, before anything is written."""
    write = WRITERS[fmt](settings, claim_id)
    with ledger.read() as session:
        if claim_id is not None:
            claims.get_claim(session, claim_id)
        if output is None:
            return write(session, stdout)
        partial = output.with_name(output.name + ".partial")
        try:
            # newline="": the CSV writer picks its own line endings (RFC 4180's CRLF).
            with partial.open("w", encoding="utf-8", newline="") as stream:
                count = write(session, stream)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)
    return count


def export_wacz(ledger: Ledger, paths: ArchivePaths, output: Path, claim_id: int | None) -> WaczSummary:
    """Bundle the cited sources' archived captures (all claims', or one's) into a WACZ file."""
    from factledger.exchange.wacz import write_wacz

    with ledger.read() as session:
        return write_wacz(session, open_store(paths).warcs, output, claim_id=claim_id)
