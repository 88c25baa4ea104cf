"""Validation shared by every import format: a mapping of fields in, a ClaimRecord out.

Every problem raises InvalidInputError naming the line and the field, so the user can fix the file.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from factledger.ledger.bulk.claim_import import ClaimRecord, EvidenceRecord
from factledger.ledger.claims import MAX_CLAIM_LENGTH, SPEAKER_KINDS
from factledger.ledger.errors import InvalidInputError, LedgerError
from factledger.ledger.sources import MAX_QUOTE_LENGTH
from factledger.ledger.statuses import ClaimStatus, Stance, parse_stance, parse_status
from factledger.ledger.storable import unstorable_reason
from factledger.ledger.urls import MAX_URL_LENGTH, normalize_url

# Imports repeat URLs (many claims cite one source); normalizing is pure, and errors are not cached.
_normalize_url_cached = functools.lru_cache(maxsize=65_536)(normalize_url)
# A URL that is already canonical (as every URL in an export is): lower-case http(s) host of plain
# labels, no port, credentials, query or fragment, a path of characters that normalizing keeps as they
# are. Recognising one is a regex match; normalizing it would cost a full parse (about 8 µs), which adds
# up at a million claims citing hundreds of thousands of sources. tests/ledger/test_bulk_import.py
# checks that both give the same answer.
# The last label starts with a letter (a name, never an address in any notation) and the path holds no
# dot segment: URLs outside the shortcut take the full path.
# The lookahead sits before the path's first slash, so a dot segment right after the host ("/./",
# "/." at the end) is refused too: the fuzzer found "http://kh/." kept as written.
_CANONICAL_URL = re.compile(
    r"https?://(?:[a-z0-9-]{1,63}\.)*[a-z][a-z0-9-]{0,62}"
    r"(?![^?]*/\.\.?(?:/|$))/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*"
)
_STANCES = {stance.value: stance for stance in Stance}
_STATUSES = {status.value: status for status in ClaimStatus}
_DATE_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:/(\d{4}-\d{2}-\d{2}))?$")


class RecordError(InvalidInputError):
    def __init__(self, line: int, field: str | None, message: str, *, unit: str = "line") -> None:
        where = f"{unit} {line}" + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")
        self.line = line
        self.field = field
        self.unit = unit  # "line", or "item" for formats that count objects rather than lines (ClaimReview)
        # The complaint without its location, so formats that count items rather than lines (ClaimReview)
        # can say where in their own terms.
        self.reason = message


NO_VALUE: Any = object()  # a field that holds no value to show


@dataclass(frozen=True)
class Rejected:
    """One input record that failed validation: where, which field, why, the field's value, and the
    record exactly as it was in the file (``source``), for a rejects file."""

    error: RecordError
    value: Any  # the offending field's value as read, or NO_VALUE when there is none to show
    source: str

    @property
    def has_value(self) -> bool:
        return self.value is not NO_VALUE

    def describe(self) -> str:
        """One line: the error, then the value (shortened) when it is not already in the message."""
        text = str(self.error)
        if self.has_value:
            shown = repr(self.value)
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            if shown not in text:
                text += f" (value: {shown})"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            self.error.unit: self.error.line,
            "field": self.error.field,
            "reason": self.error.reason,
            **({"value": _jsonable(self.value)} if self.has_value else {}),
            "input": self.source,
        }


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | list | dict | None) else repr(value)


def value_at(record: Any, path: str | None) -> Any:
    """The value at ``path`` (``evidence[0].url``, ``reviewRating.ratingValue``) in a parsed record, or
    a marker when there is none; for naming the offending value in a report."""
    if not path:
        return NO_VALUE
    here = record
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("[") and isinstance(here, list):
            index = int(part[1:-1])
            if index >= len(here):
                return NO_VALUE
            here = here[index]
        elif isinstance(here, Mapping) and part in here:
            here = here[part]
        else:
            return NO_VALUE
    return here


def _storable(value: str, line: int, name: str) -> str:
    """NUL and lone surrogates are refused here, by line and field, on both engines alike."""
    problem = unstorable_reason(value)
    if problem is not None:
        raise RecordError(line, name, problem)
    return value


def _optional_text(value: Any, line: int, name: str, limit: int = 2000) -> str | None:
    if value is None or value == "":
        return None
    # The common case in one test: ASCII text within the limit (ASCII holds no lone surrogate, so a NUL
    # is all unstorable_reason could find). Anything else takes the checks below, which say what is wrong.
    if type(value) is str and len(value) <= limit and value.isascii() and "\x00" not in value:
        return value.strip() or None
    if not isinstance(value, str):
        raise RecordError(line, name, f"expected text, got {type(value).__name__}")
    if len(value) > limit:
        raise RecordError(line, name, f"longer than {limit} characters")
    return _storable(value, line, name).strip() or None


def _check_date(value: Any, line: int, name: str) -> str:
    if not isinstance(value, str):
        raise RecordError(line, name, f"expected a YYYY-MM-DD date, got {value!r}")
    problem = _date_problem(value)
    if problem is not None:
        raise RecordError(line, name, problem)
    return value.strip()


@functools.lru_cache(maxsize=16_384)
def _date_problem(value: str) -> str | None:
    """What is wrong with a date text, or None; cached because an import repeats a few thousand dates."""
    match = _DATE_RANGE.match(value.strip())
    if not match:
        return f"expected YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD, got {value!r}"
    for part in match.groups():
        if part is not None:
            try:
                date.fromisoformat(part)
            except ValueError:
                return f"not a calendar date: {part!r}"
    return None


def _dates(fields: Mapping[str, Any], line: int) -> list[str] | None:
    extra = fields.get("dates")
    if extra is None:
        # The common case, one "date" (or none): a valid date text seen before is one dict lookup.
        only = fields.get("date")
        if only is None or only == "":
            return None
        known = _valid_dates.get(only) if type(only) is str else None
        if known is not None:
            return [known]
        checked = _check_date(only, line, "date")
        if len(_valid_dates) >= _VALID_DATES_LIMIT:
            _valid_dates.clear()
        _valid_dates[only] = checked
        return [checked]
    dates: list[str] = []
    if fields.get("date") not in (None, ""):
        dates.append(_check_date(fields["date"], line, "date"))
    if extra != "":
        if not isinstance(extra, list):
            raise RecordError(line, "dates", "expected a list of dates")
        dates.extend(_check_date(item, line, "dates") for item in extra)
    return list(dict.fromkeys(dates)) or None


# Date texts already checked, each with its stripped form (a plain dict, bounded like _normalized below).
_VALID_DATES_LIMIT = 16_384
_valid_dates: dict[str, str] = {}


def _score(value: Any, line: int) -> float | None:
    if value is None or value == "":
        return None
    try:
        score = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer beyond any float
        raise RecordError(line, "score", f"expected a number between 0 and 1, got {value!r}") from None
    if math.isnan(score) or not 0.0 <= score <= 1.0:
        raise RecordError(line, "score", f"expected a number between 0 and 1, got {value!r}")
    return score


def normalize_source_url(url: str) -> str:
    """``normalize_url``, with a fast path for URLs that are already in normal form."""
    known = _normalized.get(url)
    if known is not None:
        return known
    if len(url) <= MAX_URL_LENGTH and _CANONICAL_URL.fullmatch(url):
        normalized = url
    else:
        normalized = _normalize_url_cached(url)
    if unstorable_reason(url) is None:  # what _url finds in the dict needs no further check
        if len(_normalized) >= _NORMALIZED_LIMIT:
            _normalized.clear()
        _normalized[url] = normalized
    return normalized


# Every storable URL met, normalized (a plain dict: cheaper per hit than lru_cache, and imports cite
# each source several times). Bounded by clearing it, so memory stays flat on an input of distinct URLs.
_NORMALIZED_LIMIT = 65_536
_normalized: dict[str, str] = {}


def _url(value: Any, line: int, name: str) -> str:
    # A URL met before is one lookup: normalize_source_url keeps only storable URLs it accepted, and
    # a blank one it refuses, so every check below would pass.
    known = _normalized.get(value) if type(value) is str else None
    if known is not None:
        return known
    if not isinstance(value, str) or not value.strip():
        raise RecordError(line, name, "every evidence item needs a url")
    _storable(value, line, name)
    try:
        return normalize_source_url(value)
    except LedgerError as exc:
        raise RecordError(line, name, str(exc)) from None


def _stance(value: Any, line: int, name: str) -> Stance:
    # Exact vocabulary words are the common case: one dict lookup instead of parsing.
    known = _STANCES.get(value) if isinstance(value, str) else None
    if known is not None:
        return known
    try:
        return parse_stance(str(value or ""))
    except LedgerError as exc:
        raise RecordError(line, name, str(exc)) from None


def _status(value: Any, line: int) -> ClaimStatus:
    if not value:
        return ClaimStatus.UNREVIEWED
    known = _STATUSES.get(value) if isinstance(value, str) else None
    if known is not None:
        return known
    try:
        return parse_status(str(value))
    except LedgerError as exc:
        raise RecordError(line, "status", str(exc)) from None


def evidence_from_fields(fields: Mapping[str, Any], line: int, prefix: str) -> EvidenceRecord:
    # Each value takes its one-lookup fast path when it can (a URL and a stance seen before, plain
    # ASCII text), and the full check, which names the field, otherwise: this runs for every link.
    url = fields.get("url")
    normalized = _normalized.get(url) if type(url) is str else None
    if normalized is None:
        normalized = _url(url, line, f"{prefix}url")
    stance_value = fields.get("stance")
    stance = _STANCES.get(stance_value) if type(stance_value) is str else None
    if stance is None:
        stance = _stance(stance_value, line, f"{prefix}stance")
    # The checks of sources.clean_quote (length, storable, stripped, empty is none), named by field;
    # _optional_text's fast path for ASCII text is written out here (its field name is then not built).
    quote = fields.get("quote")
    if quote is not None:
        if type(quote) is str and len(quote) <= MAX_QUOTE_LENGTH and quote.isascii() and "\x00" not in quote:
            quote = quote.strip() or None
        else:
            quote = _optional_text(quote, line, f"{prefix}quote", MAX_QUOTE_LENGTH)
    note = fields.get("note")
    if note is not None:
        note = _optional_text(note, line, f"{prefix}note")
    # _make, not keywords: a NamedTuple's keyword call costs three times the tuple (a record a link).
    return EvidenceRecord._make((normalized, stance, quote, note))


def claim_from_fields(
    fields: Mapping[str, Any], line: int, evidence: tuple[EvidenceRecord, ...]
) -> ClaimRecord:
    text = fields.get("text")
    if not isinstance(text, str) or not (stripped := text.strip()):
        raise RecordError(line, "text", "every claim needs non-empty text")
    if len(text) > MAX_CLAIM_LENGTH:
        raise RecordError(line, "text", f"longer than {MAX_CLAIM_LENGTH} characters")
    if not (text.isascii() and "\x00" not in text):  # else it is storable: see _optional_text
        _storable(text, line, "text")
    # The fields are checked in this order (the first bad one is the one reported); absent optional
    # fields, the common case, skip their checks.
    status_value = fields.get("status")
    status = _STATUSES.get(status_value) if type(status_value) is str else None
    if status is None:
        status = _status(status_value, line)
    speaker = fields.get("speaker")
    if speaker is not None:
        if type(speaker) is str and len(speaker) <= 200 and speaker.isascii() and "\x00" not in speaker:
            speaker = speaker.strip() or None  # _optional_text's fast path
        else:
            speaker = _optional_text(speaker, line, "speaker", 200)
    speaker_kind = fields.get("speaker_kind")
    if speaker_kind is not None:
        speaker_kind = _speaker_kind(speaker_kind, line)
        if speaker_kind is not None and speaker is None:
            raise RecordError(line, "speaker_kind", "a speaker kind needs a speaker")
    dates = _dates(fields, line)
    score = fields.get("score")
    if score is not None:
        score = _score(score, line)
    rationale = fields.get("rationale")
    if rationale is not None:
        rationale = _optional_text(rationale, line, "rationale", 10_000)
    # In ClaimRecord's field order (text, speaker, dates, status, score, rationale, evidence, speaker_kind).
    return ClaimRecord._make((stripped, speaker, dates, status, score, rationale, evidence, speaker_kind))


def _speaker_kind(value: Any, line: int) -> str | None:
    if value is None or value == "":
        return None
    if value not in SPEAKER_KINDS:
        raise RecordError(line, "speaker_kind", f"expected one of {', '.join(SPEAKER_KINDS)}")
    return str(value)


def strict(items: Iterable[ClaimRecord | Rejected]) -> Iterator[ClaimRecord]:
    """The records of a scan, raising the first rejection's RecordError: the all-or-nothing reading
    that stops at the first bad record."""
    for item in items:
        if isinstance(item, Rejected):
            raise item.error
        yield item
