"""Hostile import files (issue 14, section 5): each refused with its line (or item) and field, exit 1,
nothing imported, and the same message on SQLite and PostgreSQL. On main each of these ended as
"internal error", or (NUL) was stored on SQLite and a bare "database error" on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Factledger

pytestmark = pytest.mark.integration

GOOD = '{"text": "The bridge opened in 2021."}'
DEEP = "[" * 100_000 + "]" * 100_000
HUGE_INT = "9" * 5000

JSONL_CASES = [
    # (the hostile line, the error it must give)
    ('{"text": ' + DEEP + "}", "line 2, field 'text': nested more than 64 levels deep"),
    (
        '{"text": "x", "score": ' + HUGE_INT + "}",
        "line 2, field 'score': an integer of 5000 digits is too large",
    ),
    (
        '{"text": "x", "score": ' + "9" * 400 + "}",
        "line 2, field 'score': an integer of 400 digits is too large",
    ),
    ('{"text": "x", "score": NaN}', "line 2, field 'score': NaN is not a JSON number"),
    ('{"text": "x", "score": 1e400}', "line 2, field 'score': expected a number between 0 and 1, got inf"),
    ('{"text": "lone \\ud800 surrogate"}', "line 2, field 'text': contains a lone surrogate (U+D800)"),
    ('{"text": "a NUL \\u0000 here"}', "line 2, field 'text': contains a NUL character (U+0000)"),
    ('{"text": "x", "speaker": "N\\u0000UL"}', "line 2, field 'speaker': contains a NUL character"),
    (
        '{"text": "x", "evidence": [{"url": "https://a.example/", "stance": "supports", "quote": "q\\u0000"}]}',
        "line 2, field 'evidence[0].quote': contains a NUL character",
    ),
    (
        '{"text": "x", "evidence": [{"url": "https://a.example/\\ud800", "stance": "supports"}]}',
        "line 2, field 'evidence[0].url': contains a lone surrogate",
    ),
]


def _refused(factledger: Factledger, fmt: str, path: Path, fragment: str) -> None:
    result = factledger("import", fmt, str(path))
    assert result.exit_code == 1, result.stdout
    assert "internal error" not in result.stderr
    assert "database error" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert fragment in lines[0], result.stderr
    assert "nothing imported" in lines[-1]
    assert factledger.json("claims", "list") == []


@pytest.mark.parametrize(("line", "fragment"), JSONL_CASES, ids=[f[1][:40] for f in JSONL_CASES])
def test_jsonl_hostile_values_are_named_by_line_and_field(
    factledger: Factledger, tmp_path: Path, line: str, fragment: str
) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_text(GOOD + "\n" + line + "\n", encoding="utf-8")
    _refused(factledger, "jsonl", path, fragment)


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("a NUL \x00 here", "line 2, field 'text': contains a NUL character (U+0000)"),
        ("surrogate \udc80", "line 2: not valid UTF-8"),  # a lone surrogate cannot even be written as UTF-8
    ],
)
def test_csv_hostile_values_are_named_by_line_and_field(
    factledger: Factledger, tmp_path: Path, cell: str, fragment: str
) -> None:
    path = tmp_path / "hostile.csv"
    path.write_bytes(b"text\r\n" + cell.encode("utf-8", "surrogateescape") + b"\r\n")
    _refused(factledger, "csv", path, fragment)


CLAIMREVIEW = {
    "@type": "ClaimReview",
    "claimReviewed": "The bridge opened in 2021.",
    "url": "https://checks.example/1",
    "reviewRating": {"@type": "Rating", "alternateName": "False"},
}


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ('{"@type": "ClaimReview", "x": ' + DEEP + "}", "field 'x': nested more than 64 levels deep"),
        (
            '{"@type": "ClaimReview", "reviewRating": {"ratingValue": ' + HUGE_INT + "}}",
            "field 'reviewRating.ratingValue': an integer of 5000 digits is too large",
        ),
        (
            '{"@type": "ClaimReview", "claimReviewed": "x", "reviewRating": {"ratingValue": '
            + "9" * 400
            + ', "bestRating": 5}}',
            "field 'reviewRating.ratingValue': an integer of 400 digits is too large",
        ),
        (
            json.dumps(CLAIMREVIEW).replace("2021.", "2021.\\ud800"),
            "item 1, field 'claimReviewed': contains a lone surrogate",
        ),
        (
            json.dumps(CLAIMREVIEW).replace("2021.", "2021.\\u0000"),
            "item 1, field 'claimReviewed': contains a NUL character",
        ),
    ],
)
def test_claimreview_hostile_values_are_named(
    factledger: Factledger, tmp_path: Path, document: str, fragment: str
) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(document, encoding="utf-8")
    result = factledger("import", "claimreview", str(path))
    assert result.exit_code == 1, result.stdout
    assert "internal error" not in result.stderr
    assert fragment in result.stderr.splitlines()[0]
    assert factledger.json("claims", "list") == []


def test_a_nul_in_a_claim_added_by_hand_is_refused_on_both_engines(factledger: Factledger) -> None:
    # Hostile input: `claims add` with a NUL; SQLite stored it and PostgreSQL failed with "database error".
    result = factledger("claims", "add", "a NUL \x00 here")
    assert result.exit_code == 1
    assert "contains a NUL character (U+0000)" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ("claims", "show", "99999999999999999999999"),
        ("claims", "list", "--limit", "99999999999999999999999"),
        ("sources", "list", "--limit", "99999999999999999999999"),
        ("claims", "status", "1", "supported", "--expect-version", "99999999999999999999999"),
        ("export", "jsonl", "--claim", "2147483648"),
        ("cite", "2147483648", "https://a.example/", "--stance", "supports"),
    ],
)
def test_oversized_ids_and_limits_are_usage_errors(factledger: Factledger, argv: tuple[str, ...]) -> None:
    # Hostile input: numbers past the ledger's integer columns; on main "internal error (OverflowError)".
    factledger.json("claims", "add", "A claim.")
    result = factledger(*argv)
    assert result.exit_code == 2, result.stderr
    assert "internal error" not in result.stderr
    assert "is not in the range" in " ".join(result.stderr.replace("│", " ").split())  # help's box wraps it
