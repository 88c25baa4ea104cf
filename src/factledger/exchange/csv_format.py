"""The CSV exchange format: the JSONL fields flattened to one row per evidence item.

A claim without evidence is one row with empty evidence columns. Consecutive rows with the same ``id``
(or, when ``id`` is empty, the same ``text``) are one claim, so a spreadsheet sorted by claim keeps its
claims together. RFC 4180 quoting, UTF-8, a header row first. ``id``, ``quote_status`` and
``evidence_score`` are written by export and ignored by import (like the read-only JSONL fields).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Any

from factledger.exchange.records import RecordError, claim_from_fields, evidence_from_fields
from factledger.ledger.bulk.claim_import import ClaimRecord, EvidenceRecord

COLUMNS = (
    "id",
    "text",
    "speaker",
    "speaker_kind",
    "dates",
    "status",
    "score",
    "rationale",
    "url",
    "stance",
    "quote",
    "quote_status",
    "evidence_score",
)
CLAIM_COLUMNS = ("text", "speaker", "speaker_kind", "dates", "status", "score", "rationale")
EVIDENCE_COLUMNS = ("url", "stance", "quote")
DATE_SEPARATOR = ";"


def _decoded_lines(stream: IO[bytes]) -> Iterator[str]:
    """Physical lines as text, line endings kept (the csv module needs them to see quoted newlines).

    Decoding line by line lets a bad byte be reported with its line number, and keeps memory flat."""
    for line_number, raw in enumerate(stream, start=1):
        try:
            # utf-8-sig on the first line drops the byte-order mark that Excel puts in "CSV UTF-8" files.
            yield raw.decode("utf-8-sig" if line_number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise RecordError(line_number, None, f"not valid UTF-8 (byte {exc.start})") from None


def _rows(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells); blank lines skipped. A quoted field may span lines."""
    reader = csv.reader(_decoded_lines(stream), strict=True)
    consumed = 0
    while True:
        start = consumed + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # Name the line the row starts on: an unclosed quote only shows up at the end of the file.
            ends = f", in the row that runs to line {reader.line_num}" if reader.line_num > start else ""
            raise RecordError(start, None, f"not valid CSV ({exc}{ends})") from None
        consumed = reader.line_num
        if row:
            yield start, row


def _read_header(rows: Iterator[tuple[int, list[str]]]) -> list[str]:
    first = next(rows, None)
    if first is None:
        raise RecordError(1, None, "the file is empty; expected a header row naming the columns")
    line, cells = first
    header = [cell.strip().lower() for cell in cells]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise RecordError(
            line,
            None,
            f"unknown column(s) {', '.join(map(repr, unknown))} in the header (known: {', '.join(COLUMNS)})",
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise RecordError(line, None, f"column(s) {', '.join(map(repr, duplicated))} appear twice")
    if "text" not in header:
        raise RecordError(line, "text", "the header has no 'text' column")
    return header


@dataclass
class _PendingClaim:
    line: int
    key: tuple[str, str]
    fields: dict[str, str]
    claim: ClaimRecord  # validated when its first row is read, so errors come in file order
    evidence: list[EvidenceRecord] = field(default_factory=list)

    @classmethod
    def start(cls, line: int, key: tuple[str, str], cells: dict[str, str]) -> _PendingClaim:
        fields = {name: cells.get(name, "") for name in CLAIM_COLUMNS}
        claim_fields: dict[str, Any] = dict(fields)
        dates = [part.strip() for part in fields["dates"].split(DATE_SEPARATOR)]
        claim_fields["dates"] = [part for part in dates if part] or None
        return cls(line, key, fields, claim_from_fields(claim_fields, line, ()))

    def record(self) -> ClaimRecord:
        return replace(self.claim, evidence=tuple(self.evidence))


def _evidence(cells: dict[str, str], line: int) -> EvidenceRecord | None:
    if not any(cells.get(name, "").strip() for name in EVIDENCE_COLUMNS):
        return None  # a claim without evidence
    return evidence_from_fields(cells, line, "")


def _check_repeated_claim_fields(pending: _PendingClaim, cells: dict[str, str], line: int) -> None:
    """A continuation row may leave the claim columns empty or repeat them, but not contradict them:
    a different speaker on the second row of a claim is a mistake in the file, not a second opinion."""
    for name in CLAIM_COLUMNS:
        value = cells.get(name, "").strip()
        if value and value != pending.fields.get(name, "").strip():
            raise RecordError(
                line,
                name,
                f"differs from line {pending.line}, which starts the same claim ({pending.key[1]!r})",
            )


def read_csv(stream: IO[bytes]) -> Iterator[ClaimRecord]:
    """Parse and validate claims lazily; raises RecordError naming the first bad line and field."""
    rows = _rows(stream)
    header = _read_header(rows)
    pending: _PendingClaim | None = None
    for line, row in rows:
        if len(row) != len(header):
            raise RecordError(line, None, f"expected {len(header)} fields like the header, found {len(row)}")
        cells = dict(zip(header, row, strict=True))
        claim_id = cells.get("id", "").strip()
        key = ("id", claim_id) if claim_id else ("text", cells["text"].strip())
        if pending is not None and key == pending.key and key[1]:
            _check_repeated_claim_fields(pending, cells, line)
        else:
            if pending is not None:
                yield pending.record()
            pending = _PendingClaim.start(line, key, cells)
        evidence = _evidence(cells, line)
        if evidence is not None:
            pending.evidence.append(evidence)
    if pending is not None:
        yield pending.record()


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def write_csv(records: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    """Write claims in the shape of jsonl.iter_export; returns the number of claims written."""
    writer = csv.writer(stream, lineterminator="\r\n")  # RFC 4180 line endings
    writer.writerow(COLUMNS)
    count = 0
    for record in records:
        claim_cells = [
            _cell(record["id"]),
            record["text"],
            _cell(record["speaker"]),
            _cell(record["speaker_kind"]),
            DATE_SEPARATOR.join(record["dates"] or []),
            record["status"],
            _cell(record["score"]),
            _cell(record["rationale"]),
        ]
        evidence_rows = [
            [e["url"], e["stance"], _cell(e["quote"]), e["quote_status"], _cell(e["score"])]
            for e in record["evidence"]
        ] or [["", "", "", "", ""]]
        for evidence_cells in evidence_rows:
            writer.writerow(claim_cells + evidence_cells)
        count += 1
    return count
