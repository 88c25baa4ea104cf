"""The CSV exchange format: the JSONL fields flattened to one row per evidence item.

A claim without evidence is one row with empty evidence columns. Consecutive rows with the same ``id``
(or, when ``id`` is empty, the same ``text``) are one claim, so a spreadsheet sorted by claim keeps its
claims together. RFC 4180 quoting, UTF-8, a header row first. A cell that a spreadsheet would run as a
formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
apostrophe, as OWASP advises against CSV injection, and import removes it again. ``id``,
``score_model``, ``role``, ``quote_status`` and ``evidence_score`` are written by export and ignored by
import (like the read-only JSONL fields).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Any

from factledger.exchange.records import (
    NO_VALUE,
    RecordError,
    Rejected,
    claim_from_fields,
    evidence_from_fields,
    strict,
)
from factledger.ledger.bulk.claim_import import ClaimRecord, EvidenceRecord

COLUMNS = (
    "id",
    "text",
    "speaker",
    "speaker_kind",
    "dates",
    "status",
    "score",
    "score_model",
    "role",
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
# OWASP's CSV injection guidance: a spreadsheet runs a cell that starts with one of these as a formula
# (`=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)`, and tab or carriage return before any of them).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(cell: str) -> str:
    """A cell a spreadsheet shows as text: one that could start a formula gets a leading apostrophe
    (OWASP's advice), and so does one that already starts with apostrophes before a trigger, so that
    ``restore_formula`` gives back exactly what was written."""
    if cell.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell


def restore_formula(cell: str) -> str:
    """The inverse of ``neutralise_formula``: an import reads back the text that was exported."""
    if cell.startswith("'") and neutralise_formula(cell[1:]) == cell:
        return cell[1:]
    return cell


@dataclass
class _Lines:
    """Physical lines as text, line endings kept (the csv module needs them to see quoted newlines),
    remembering the text of the row being read and the lines that were not valid UTF-8.

    Decoding line by line lets a bad byte be reported with its line number, and keeps memory flat; a
    bad line is decoded with replacement characters so the rows after it can still be checked."""

    stream: IO[bytes]
    current: list[str] = field(default_factory=list)
    bad_utf8: dict[int, int] = field(default_factory=dict)  # line number -> offset of the bad byte

    def __iter__(self) -> Iterator[str]:
        for line_number, raw in enumerate(self.stream, start=1):
            # utf-8-sig on the first line drops the byte-order mark that Excel puts in "CSV UTF-8" files.
            encoding = "utf-8-sig" if line_number == 1 else "utf-8"
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                self.bad_utf8[line_number] = exc.start
                text = raw.decode(encoding, "backslashreplace")
            self.current.append(text)
            yield text

    def take(self) -> str:
        """The text of the row just read, as it was in the file (minus its final line ending)."""
        text = "".join(self.current)
        self.current.clear()
        return text.removesuffix("\n").removesuffix("\r")


@dataclass(frozen=True)
class _Row:
    line: int  # where the row starts
    cells: list[str]
    source: str
    error: RecordError | None = None  # a row that could not be read at all


def _rows(lines: _Lines) -> Iterator[_Row]:
    """Every row, blank lines skipped; a quoted field may span lines. A row that is not valid CSV or
    UTF-8 comes with its error, and reading goes on with the next line."""
    reader = csv.reader(lines, strict=True)
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
            consumed = reader.line_num
            yield _Row(start, [], lines.take(), RecordError(start, None, f"not valid CSV ({exc}{ends})"))
            continue
        consumed = reader.line_num
        source = lines.take()
        bad = next((n for n in range(start, consumed + 1) if n in lines.bad_utf8), None)
        if bad is not None:
            yield _Row(
                start, row, source, RecordError(bad, None, f"not valid UTF-8 (byte {lines.bad_utf8[bad]})")
            )
        elif row:
            yield _Row(start, row, source)


def _read_header(rows: Iterator[_Row]) -> list[str]:
    first = next(rows, None)
    if first is None:
        raise RecordError(1, None, "the file is empty; expected a header row naming the columns")
    if first.error is not None:
        raise first.error
    line, cells = first.line, first.cells
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
    claim: ClaimRecord | None  # validated when its first row is read, so errors come in file order
    evidence: list[EvidenceRecord] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    rejected: Rejected | None = None  # the first error in any of its rows: the whole claim is rejected

    @classmethod
    def start(cls, line: int, key: tuple[str, str], cells: dict[str, str]) -> _PendingClaim:
        fields = {name: cells.get(name, "") for name in CLAIM_COLUMNS}
        claim_fields: dict[str, Any] = dict(fields)
        dates = [part.strip() for part in fields["dates"].split(DATE_SEPARATOR)]
        claim_fields["dates"] = [part for part in dates if part] or None
        return cls(line, key, fields, claim_from_fields(claim_fields, line, ()))

    def reject(self, error: RecordError, cells: dict[str, str]) -> None:
        if self.rejected is None:
            self.rejected = Rejected(error, cells.get(error.field or "", NO_VALUE), "")

    def result(self) -> ClaimRecord | Rejected:
        if self.rejected is not None or self.claim is None:
            assert self.rejected is not None
            # Every row of the claim, as it was: the rejects file gives back the claim whole.
            return replace(self.rejected, source="\r\n".join(self.sources))
        return self.claim._replace(evidence=tuple(self.evidence))


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
    return strict(scan_csv(stream))


def scan_csv(stream: IO[bytes]) -> Iterator[ClaimRecord | Rejected]:
    """Every claim, or its rejection: a claim with a bad row is rejected whole, with all its rows.
    A bad header is raised (RecordError): without it no row can be read."""
    rows = _rows(_Lines(stream))
    header = _read_header(rows)
    pending: _PendingClaim | None = None
    for row in rows:
        if row.error is not None or len(row.cells) != len(header):
            error = row.error or RecordError(
                row.line, None, f"expected {len(header)} fields like the header, found {len(row.cells)}"
            )
            if pending is not None:
                yield pending.result()
                pending = None
            yield Rejected(error, NO_VALUE, row.source)
            continue
        cells = {name: restore_formula(cell) for name, cell in zip(header, row.cells, strict=True)}
        claim_id = cells.get("id", "").strip()
        key = ("id", claim_id) if claim_id else ("text", cells["text"].strip())
        try:
            if pending is not None and key == pending.key and key[1]:
                pending.sources.append(row.source)
                _check_repeated_claim_fields(pending, cells, row.line)
            else:
                if pending is not None:
                    yield pending.result()
                pending = None
                try:
                    pending = _PendingClaim.start(row.line, key, cells)
                except RecordError as exc:
                    pending = _PendingClaim(row.line, key, {}, None)
                    pending.reject(exc, cells)
                pending.sources.append(row.source)
            evidence = _evidence(cells, row.line)
            if evidence is not None:
                pending.evidence.append(evidence)
        except RecordError as exc:
            assert pending is not None
            pending.reject(exc, cells)
    if pending is not None:
        yield pending.result()


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
            _cell(record["score_model"]),
            _cell(record["role"]),
            _cell(record["rationale"]),
        ]
        evidence_rows = [
            [e["url"], e["stance"], _cell(e["quote"]), e["quote_status"], _cell(e["score"])]
            for e in record["evidence"]
        ] or [["", "", "", "", ""]]
        for evidence_cells in evidence_rows:
            writer.writerow([neutralise_formula(cell) for cell in claim_cells + evidence_cells])
        count += 1
    return count
