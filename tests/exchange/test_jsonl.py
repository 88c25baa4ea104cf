"""JSONL import/export: all-or-nothing, line-numbered errors, safe to re-run, lossless round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Factledger

pytestmark = pytest.mark.integration

GOOD = [
    {
        "text": "Blinken met Pashinyan and Aliyev on February 18.",
        "speaker": "Blinken",
        "date": "2023-02-18",
        "status": "unreviewed",
        "evidence": [
            {
                "url": "https://www.state.gov/a?utm_source=x",
                "stance": "supports",
                "quote": "met on February 18",
            }
        ],
    },
    {
        "text": "Power announced $11.5 million in humanitarian aid.",
        "speaker": "Samantha Power",
        "status": "supported",
        "evidence": [
            {"url": "https://www.usaid.gov/news", "stance": "supports", "quote": "$11.5 million"},
            {"url": "https://www.state.gov/a", "stance": "context"},
        ],
    },
    {"text": "The talks were held between May 1-4.", "dates": ["2023-05-01/2023-05-04"], "evidence": []},
]


def _write(path: Path, records: list[object], raw_lines: dict[int, str] | None = None) -> Path:
    lines = [json.dumps(r) for r in records]
    for index, raw in (raw_lines or {}).items():
        lines.insert(index, raw)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_then_list(factledger: Factledger, tmp_path: Path) -> None:
    result = factledger("import", "jsonl", str(_write(tmp_path / "in.jsonl", GOOD)), "--json")
    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats == {"claims_created": 3, "claims_matched": 0, "evidence_added": 3, "sources": 2}
    claims = factledger.json("claims", "list")
    assert [c["status"] for c in claims] == ["unreviewed", "supported", "unreviewed"]
    assert claims[0]["dates"] == ["2023-02-18"]
    assert claims[2]["dates"] == ["2023-05-01/2023-05-04"]
    assert {s["url"] for s in factledger.json("sources", "list")} == {
        "https://www.state.gov/a",
        "https://www.usaid.gov/news",
    }
    history = factledger.json("claims", "history", str(claims[1]["id"]))
    assert history[0]["kind"] == "claim.imported"
    assert factledger("audit", "verify").exit_code == 0


def test_reimport_is_a_no_op(factledger: Factledger, tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl", GOOD)
    assert factledger("import", "jsonl", str(path)).exit_code == 0
    again = json.loads(factledger("import", "jsonl", str(path), "--json").stdout)
    assert again["claims_created"] == 0
    assert again["claims_matched"] == 3
    assert again["evidence_added"] == 0
    assert len(factledger.json("claims", "list")) == 3


@pytest.mark.parametrize(
    ("bad_line", "fragment"),
    [
        ('{"text": "unterminated', "line 2: not valid JSON"),
        ('["a", "list"]', "line 2: expected a JSON object"),
        ('{"speaker": "no text"}', "line 2, field 'text'"),
        ('{"text": "x", "status": "probably"}', "line 2, field 'status': unknown status"),
        ('{"text": "x", "date": "18/02/2023"}', "line 2, field 'date'"),
        ('{"text": "x", "date": "2023-02-30"}', "line 2, field 'date': not a calendar date"),
        (
            '{"text": "x", "evidence": [{"url": "ftp://x.org/a", "stance": "supports"}]}',
            "field 'evidence[0].url'",
        ),
        (
            '{"text": "x", "evidence": [{"url": "https://x.org", "stance": "agrees"}]}',
            "field 'evidence[0].stance'",
        ),
        ('{"text": "x", "evidence": {"url": "https://x.org"}}', "field 'evidence'"),
        ('{"text": "x", "score": 7}', "field 'score'"),
    ],
)
def test_a_bad_line_imports_nothing_and_names_the_line(
    factledger: Factledger, tmp_path: Path, bad_line: str, fragment: str
) -> None:
    path = _write(tmp_path / "bad.jsonl", GOOD, {1: bad_line})
    result = factledger("import", "jsonl", str(path))
    assert result.exit_code == 1
    assert fragment in result.stderr
    # The bad record on a line of its own, then the summary: nothing imported.
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert fragment in lines[0]
    assert "1 bad" in lines[1]
    assert "nothing imported" in lines[1]
    assert factledger.json("claims", "list") == []
    assert factledger.json("sources", "list") == []


def test_bad_encoding_is_refused(factledger: Factledger, tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(GOOD[0]).encode() + b"\n" + '{"text": "café"}'.encode("latin-1") + b"\n")
    result = factledger("import", "jsonl", str(path))
    assert result.exit_code == 1
    assert "line 2: not valid UTF-8" in result.stderr
    assert factledger.json("claims", "list") == []


def test_missing_file(factledger: Factledger, tmp_path: Path) -> None:
    result = factledger("import", "jsonl", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_round_trip_into_an_empty_ledger(factledger: Factledger, tmp_path: Path) -> None:
    assert factledger("import", "jsonl", str(_write(tmp_path / "in.jsonl", GOOD))).exit_code == 0
    out = tmp_path / "out.jsonl"
    assert factledger("export", "jsonl", "-o", str(out)).exit_code == 0
    fresh = Factledger(db_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}", home=tmp_path / "fresh")
    assert fresh("import", "jsonl", str(out)).exit_code == 0

    def shape(ledger: Factledger) -> list[tuple[object, ...]]:
        exported = [json.loads(line) for line in ledger("export", "jsonl").stdout.splitlines()]
        return [
            (
                c["text"],
                c["speaker"],
                tuple(c["dates"]),
                c["status"],
                tuple((e["url"], e["stance"], e["quote"]) for e in c["evidence"]),
            )
            for c in exported
        ]

    assert shape(fresh) == shape(factledger)
    assert len(shape(fresh)) == 3


def test_export_one_claim_and_unknown_claim(factledger: Factledger, tmp_path: Path) -> None:
    factledger("import", "jsonl", str(_write(tmp_path / "in.jsonl", GOOD)))
    one = factledger("export", "jsonl", "--claim", "2").stdout.splitlines()
    assert len(one) == 1
    assert json.loads(one[0])["speaker"] == "Samantha Power"
    missing = factledger("export", "jsonl", "--claim", "99", "-o", str(tmp_path / "x.jsonl"))
    assert missing.exit_code == 1
    assert not (tmp_path / "x.jsonl").exists()
