"""Fuzz targets for the parsers that read untrusted input (issue 14, section 5b).

The property of every target: any input gives a result or the one user-facing error the parser is
allowed to raise (an ``InvalidInputError`` the CLI prints on one line, ``WarcError`` for the store),
never another exception, and each input finishes within the deadline (10 s, far above the
milliseconds a well-formed input takes).

Inputs are drawn by Hypothesis: byte-level mutations (flips, inserts of hostile tokens, deletions,
duplications) of the seed files in ``tests/fuzz/corpus/<target>/``, plain random bytes, and for the
JSON formats structured values with hostile scalars. In the test suite each target runs a few dozen
examples; ``make fuzz`` drives the same targets for a set time through ``tests/fuzz/run.py``.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factledger.archive.warc.reader import read_record
from factledger.archive.warc.records import WarcError, WarcLocation
from factledger.exchange.claimreview_import import scan_claim_reviews
from factledger.exchange.csv_format import neutralise_formula, restore_formula, scan_csv
from factledger.exchange.jsonl import scan_jsonl
from factledger.exchange.records import Rejected, normalize_source_url
from factledger.ledger.bulk.claim_import import ClaimRecord
from factledger.ledger.errors import InvalidInputError
from factledger.ledger.urls import normalize_url
from factledger.terminal import printable
from factledger.text.extract import ExtractedText, extract_text

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).parent / "corpus"
EXAMPLES = int(os.environ.get("FACTLEDGER_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# Tokens that broke or could break a parser: NUL, a lone surrogate escape, deep brackets, huge numbers,
# NaN, quotes and line ends, invalid UTF-8, dot segments, numeric hosts, terminal escapes, zip headers.
HOSTILE_TOKENS = [
    b"\x00",
    b"\\u0000",
    b"\\ud800",
    b"[" * 200,
    b"{" * 100,
    b"9" * 400,
    b"NaN",
    b"1e400",
    b'"',
    b"'",
    b",",
    b"\r\n",
    b"\n",
    b"\xff\xfe",
    b"\xc3",
    b"%2e%2E/",
    b"/../",
    b"0x7f.",
    b":0/",
    b"\x1b[2J",
    b"<",
    b"</p>",
    b"<!--",
    b"\x1f\x8b\x08\x00",
    b"obj",
    b"endstream",
    b"WARC/1.1\r\n",
    b"Content-Length: 99999999\r\n",
]


def _seeds(target: str) -> list[bytes]:
    return [path.read_bytes() for path in sorted((CORPUS / target).iterdir()) if path.is_file()]


@st.composite
def _mutation(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["token", "flip", "delete", "duplicate", "truncate"]))
        if operation == "token":
            data[position:position] = draw(st.sampled_from(HOSTILE_TOKENS))
        elif operation == "flip" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif operation == "delete":
            del data[position : position + draw(st.integers(1, 64))]
        elif operation == "duplicate":
            end = min(len(data), position + draw(st.integers(1, 256)))
            data[position:position] = data[position:end] * draw(st.integers(1, 50))
        elif operation == "truncate":
            del data[position:]
    return bytes(data)


def inputs(target: str) -> st.SearchStrategy[bytes]:
    return st.one_of(_mutation(_seeds(target)), st.binary(max_size=4096))


_HOSTILE_TEXT = st.text(
    st.characters(codec=None, categories=None, exclude_categories=[]), max_size=40
) | st.sampled_from(["\x00", "\ud800", "=1+1", "Metadata", "2020-10-9", "https://a.example/../x"])
_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**500), max_value=10**500)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _HOSTILE_TEXT
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_HOSTILE_TEXT, children, max_size=4),
    max_leaves=20,
)
_CLAIM_FIELDS = [
    "text",
    "speaker",
    "speaker_kind",
    "date",
    "dates",
    "status",
    "score",
    "rationale",
    "evidence",
]
_EVIDENCE_FIELDS = ["url", "stance", "quote", "note"]


@st.composite
def _claim_objects(draw: st.DrawFn) -> dict[str, Any]:
    """Objects with the right keys and hostile values: deeper into validation than random bytes get."""
    record = {key: draw(_JSON_VALUES) for key in draw(st.lists(st.sampled_from(_CLAIM_FIELDS), unique=True))}
    if draw(st.booleans()):
        record["evidence"] = [
            {
                key: draw(_JSON_VALUES)
                for key in draw(st.lists(st.sampled_from(_EVIDENCE_FIELDS), unique=True))
            }
            for _ in range(draw(st.integers(0, 3)))
        ]
    return record


def _dumps(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode("utf-8")


def _outcome(call: Callable[[], Any], allowed: type[Exception]) -> tuple[Any, Exception | None]:
    """(result, None), or (None, the allowed error); any other exception fails the property."""
    try:
        return call(), None
    except allowed as exc:
        return None, exc


def _check_scan(results: list[ClaimRecord | Rejected]) -> None:
    for item in results:
        assert isinstance(item, ClaimRecord | Rejected)
        if isinstance(item, Rejected):
            assert "\n" not in item.describe()  # one line each on stderr
            json.dumps(item.as_dict())  # the rejects file can hold it


# ---------------------------------------------------------------- the importers


@FUZZ
@given(
    st.one_of(
        inputs("jsonl"), st.lists(_claim_objects(), max_size=5).map(lambda rs: b"\n".join(map(_dumps, rs)))
    )
)
def test_fuzz_jsonl_import(data: bytes) -> None:
    _check_scan(list(scan_jsonl(io.BytesIO(data))))


@FUZZ
@given(inputs("csv"))
def test_fuzz_csv_import(data: bytes) -> None:
    results, error = _outcome(lambda: list(scan_csv(io.BytesIO(data))), InvalidInputError)
    if error is not None:  # a header that cannot be read: one line
        assert "\n" not in str(error)
        return
    _check_scan(results)


@FUZZ
@given(
    st.one_of(
        inputs("claimreview"), st.lists(_claim_objects(), max_size=3).map(_dumps), _JSON_VALUES.map(_dumps)
    )
)
def test_fuzz_claimreview_import(data: bytes) -> None:
    results, error = _outcome(lambda: scan_claim_reviews(io.BytesIO(data)), InvalidInputError)
    if error is not None:  # not JSON, or no ClaimReview in it: one line
        assert "\n" not in str(error)
        return
    _check_scan(results)


@FUZZ
@given(st.text(max_size=200))
def test_fuzz_csv_formula_cells_round_trip(cell: str) -> None:
    written = neutralise_formula(cell)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore_formula(written) == cell


# ---------------------------------------------------------------- URLs


@FUZZ
@given(
    st.one_of(
        inputs("url").map(lambda data: data.decode("utf-8", "replace")),
        st.text(max_size=300),
        st.from_regex(
            r"https?://[a-zA-Z0-9.\-\[\]:%ß☃]{0,40}(:\d{0,6})?(/[a-zA-Z0-9.%/\-]{0,40})?", fullmatch=True
        ),
    )
)
# Found by `make fuzz` in CI: the importers' shortcut kept a dot segment right after the host.
@example("http://kh/.")
def test_fuzz_url_normaliser(raw: str) -> None:
    normalized, error = _outcome(lambda: normalize_url(raw), InvalidInputError)
    if error is not None:
        assert "\n" not in str(error)
        with pytest.raises(InvalidInputError):
            normalize_source_url(raw)  # the importers' shortcut refuses what the normaliser refuses
        return
    assert normalized.isascii()
    assert normalize_url(normalized) == normalized  # normal form is a fixed point
    assert normalize_source_url(raw) == normalized


# ---------------------------------------------------------------- text extraction


def _extracts(data: bytes, content_type: str) -> ExtractedText:
    extracted = extract_text(data, [("Content-Type", content_type)], main_text=True)
    assert isinstance(extracted, ExtractedText)
    return extracted


@FUZZ
@given(
    inputs("html"),
    st.sampled_from(["text/html", "text/html; charset=utf-8", "text/html; charset=unicode_escape"]),
)
def test_fuzz_html_text_extraction(data: bytes, content_type: str) -> None:
    _extracts(data, content_type)


@FUZZ
@given(inputs("pdf"))
def test_fuzz_pdf_text_extraction(data: bytes) -> None:
    # A PDF with no text and no error is possible (no pages, or pages of images): only crashes count.
    _extracts(data, "application/pdf")


# ---------------------------------------------------------------- the WARC reader

_WARC_DIR = Path(tempfile.mkdtemp(prefix="factledger-fuzz-warc-"))


@FUZZ
@given(inputs("warc"))
def test_fuzz_warc_reader(data: bytes) -> None:
    path = _WARC_DIR / "fuzz.warc.gz"
    path.write_bytes(data)
    response, error = _outcome(
        lambda: read_record(_WARC_DIR, WarcLocation("fuzz.warc.gz", 0, len(data))), WarcError
    )
    if error is not None:
        assert str(error)
        return
    assert response.record_type in ("response", "revisit")


# ---------------------------------------------------------------- the terminal sanitiser


@FUZZ
@given(st.text())
def test_fuzz_terminal_sanitiser(text: str) -> None:
    shown = printable(text)
    assert len(shown) == len(text)
    assert all(ch in "\t\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0) for ch in shown)


TARGETS: dict[str, Callable[..., None]] = {
    "jsonl": test_fuzz_jsonl_import,
    "csv": test_fuzz_csv_import,
    "claimreview": test_fuzz_claimreview_import,
    "url": test_fuzz_url_normaliser,
    "html": test_fuzz_html_text_extraction,
    "pdf": test_fuzz_pdf_text_extraction,
    "warc": test_fuzz_warc_reader,
    "csv-formula": test_fuzz_csv_formula_cells_round_trip,
    "terminal": test_fuzz_terminal_sanitiser,
}
