"""The import and export formats, by name: ``factledger import`` and ``factledger export``.

Each format's module is imported when it is used, not when this one is, which keeps the CLI quick to
start. Imports are all or nothing (one transaction); an export to a file goes through
``factledger.files.safe_output`` (an unpredictable temporary file beside it, fsynced and renamed), so a
failed export never leaves half a file behind and a planted link is never followed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from factledger.archive.capture_store import open_store
from factledger.archive.runner import ArchivePaths
from factledger.config import Settings
from factledger.exchange.records import Rejected as Rejected  # the CLI reports them
from factledger.files import check_writable_name, safe_output
from factledger.ledger import claims
from factledger.ledger.bulk.claim_import import ClaimRecord, ImportStats
from factledger.ledger.database import Ledger
from factledger.ledger.errors import InvalidInputError, LedgerError

if TYPE_CHECKING:  # the WACZ writer (and its indexer) loads only for a WACZ export
    from factledger.exchange.wacz import WaczSummary

# Every record of a file, valid (a ClaimRecord) or not (a Rejected naming line, field and value).
Reader = Callable[[IO[bytes]], Iterable["ClaimRecord | Rejected"]]
# Writes the claims of one read transaction to a text stream and returns how many it wrote.
Writer = Callable[[Session, IO[str]], int]


def _jsonl_reader() -> Reader:
    from factledger.exchange.jsonl import scan_jsonl

    return scan_jsonl


def _csv_reader() -> Reader:
    from factledger.exchange.csv_format import scan_csv

    return scan_csv


def _claimreview_reader() -> Reader:
    from factledger.exchange.claimreview_import import scan_claim_reviews

    return scan_claim_reviews


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


MAX_REPORTED = 100  # bad records named one by one; the rest are counted


class InvalidRecords(InvalidInputError):
    """An all-or-nothing import met bad records: nothing was imported. ``shown`` holds the first
    MAX_REPORTED of them, ``total`` counts them all."""

    def __init__(self, path: Path, shown: list[Rejected], total: int, valid: int) -> None:
        unit = shown[0].error.unit if shown else "line"
        super().__init__(
            f"{total} bad {unit}{'' if total == 1 else 's'} in {path.name}: nothing imported "
            f"(fix {'it' if total == 1 else 'them'}, or pass --skip-invalid to import the {valid} valid "
            f"claim{'' if valid == 1 else 's'} and write the bad ones to {rejects_path(path).name})"
        )
        self.shown = shown
        self.total = total


@dataclass
class ImportOutcome:
    stats: ImportStats
    rejected: int = 0
    shown: list[Rejected] = field(default_factory=list)  # the first MAX_REPORTED rejections
    rejects_file: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = self.stats.as_dict()
        if self.rejects_file is not None:
            result |= {"rejected": self.rejected, "rejects_file": str(self.rejects_file)}
        return result


def rejects_path(path: Path) -> Path:
    """Where ``--skip-invalid`` writes the rejected records: ``FILE.rejects.jsonl`` beside the input."""
    return path.with_name(path.name + ".rejects.jsonl")


@dataclass
class _Sorter:
    """Lets the valid records through and keeps the rejected ones: the first MAX_REPORTED for the
    report, every one in the rejects file when there is one. All or nothing (no rejects file): after
    the first rejection no record reaches the ledger, the rest of the file is still checked, and the
    end of the input raises InvalidRecords, so the import's transaction rolls back."""

    path: Path
    rejects: IO[str] | None
    shown: list[Rejected] = field(default_factory=list)
    total: int = 0
    valid: int = 0

    def valid_records(self, items: Iterable[ClaimRecord | Rejected]) -> Iterator[ClaimRecord]:
        for item in items:
            if isinstance(item, Rejected):
                self.total += 1
                if len(self.shown) < MAX_REPORTED:
                    self.shown.append(item)
                if self.rejects is not None:
                    self.rejects.write(_json_line(item.as_dict()))
                continue
            self.valid += 1
            if self.rejects is not None or not self.total:
                yield item
        if self.total and self.rejects is None:
            raise InvalidRecords(self.path, self.shown, self.total, self.valid)


def _json_line(record: dict[str, Any]) -> str:
    """One JSON line, readable UTF-8 where it can be; a value holding a lone surrogate (which UTF-8
    cannot encode) is written with ``\\u`` escapes, which read back as the same string."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record)
    return line + "\n"


def import_file(
    open_ledger: Callable[[], Ledger], actor: str, fmt: str, path: Path, *, skip_invalid: bool = False
) -> ImportOutcome:
    """Import the claims (with their evidence) in ``path``. All or nothing by default: any bad record
    raises InvalidRecords naming the first MAX_REPORTED of them, and nothing is imported. With
    ``skip_invalid`` the valid records are imported and the bad ones are written, each as it was in
    the file with its line, field and reason, to ``FILE.rejects.jsonl`` (replaced on every run, so an
    empty file means nothing was rejected). The ledger is opened (``open_ledger``) only once the file
    is known to exist, so a wrong path creates no ledger."""
    from factledger.ledger.bulk.claim_import import import_claims

    if not path.is_file():
        raise LedgerError(f"no such file: {path}")
    read = READERS[fmt]()
    origin = f"import {fmt} {path.name}"
    with contextlib.ExitStack() as stack:
        rejects = stack.enter_context(safe_output(rejects_path(path))) if skip_invalid else None
        stream = stack.enter_context(path.open("rb"))
        sorter = _Sorter(path, rejects)
        with open_ledger().write() as session:
            stats = import_claims(session, actor, sorter.valid_records(read(stream)), origin=origin)
    return ImportOutcome(stats, sorter.total, sorter.shown, rejects_path(path) if skip_invalid else None)


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
    if output is not None:
        check_writable_name(output)  # before any work: a wrong directory is one line, not a traceback
    with ledger.read() as session:
        if claim_id is not None:
            claims.get_claim(session, claim_id)
        if output is None:
            return write(session, stdout)
        # newline="": the CSV writer picks its own line endings (RFC 4180's CRLF).
        with safe_output(output, newline="") as stream:
            count = write(session, stream)
    return count


def export_wacz(ledger: Ledger, paths: ArchivePaths, output: Path, claim_id: int | None) -> WaczSummary:
    """Bundle the cited sources' archived captures (all claims', or one's) into a WACZ file."""
    from factledger.exchange.wacz import write_wacz

    with ledger.read() as session:
        return write_wacz(session, open_store(paths).warcs, output, claim_id=claim_id)
