"""Importing real data (issue 15): every bad line reported in one run, and --skip-invalid with a
rejects file. The hostile input is a 500-claim set shaped like a converted public fact-check set:
an evidence "URL" that is the word `Metadata` (line 16), a date written `2020-10-9` (line 132), and
120 more bad URLs further down. On main the import stopped at line 16 and named nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Factledger

pytestmark = pytest.mark.integration

BAD_URL_LINES = [16, *range(200, 440, 2)]  # 121 lines
BAD_DATE_LINE = 132


def _claim(number: int) -> dict[str, object]:
    url = "Metadata" if number in BAD_URL_LINES else f"https://checks.example/{number}"
    record: dict[str, object] = {
        "text": f"Claim number {number} says the budget grew by {number} percent.",
        "date": "2020-10-9" if number == BAD_DATE_LINE else "2020-10-09",
        "evidence": [{"url": url, "stance": "refutes"}],
    }
    return record


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "factchecks.jsonl"
    path.write_text("".join(json.dumps(_claim(n)) + "\n" for n in range(1, 501)), encoding="utf-8")
    return path


def test_every_bad_line_is_reported_in_one_run_and_nothing_is_imported(
    factledger: Factledger, dataset: Path
) -> None:
    result = factledger("import", "jsonl", str(dataset))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    # The first 100 bad lines, each with line, field and value; then how many more; then the summary.
    assert len(lines) == 102
    assert lines[0].startswith("factledger: error: line 16, field 'evidence[0].url': only http and https")
    assert lines[0].endswith("'Metadata'")
    date_line = next(line for line in lines if "line 132" in line)
    assert "field 'date'" in date_line
    assert "'2020-10-9'" in date_line
    assert lines[100] == "factledger: error: … and 22 more not shown"
    assert "122 bad lines in factchecks.jsonl: nothing imported" in lines[101]
    assert "--skip-invalid" in lines[101]
    assert factledger.json("claims", "list") == []  # the default stays all or nothing
    assert not dataset.with_name("factchecks.jsonl.rejects.jsonl").exists()


def test_skip_invalid_imports_the_valid_lines_and_writes_the_rest_unchanged(
    factledger: Factledger, dataset: Path
) -> None:
    result = factledger("import", "jsonl", str(dataset), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert "imported 378 new claims" in result.stderr
    assert "rejected 122" in result.stderr
    assert len(factledger.json("claims", "list", "--limit", "1000")) == 378
    rejects_file = dataset.with_name("factchecks.jsonl.rejects.jsonl")
    rejects = [json.loads(line) for line in rejects_file.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rejects] == sorted([*BAD_URL_LINES, BAD_DATE_LINE])
    originals = dataset.read_text(encoding="utf-8").splitlines()
    for reject in rejects:
        assert reject["input"] == originals[reject["line"] - 1]  # the line as it was, to fix and re-import
        assert reject["reason"]
    by_line = {r["line"]: r for r in rejects}
    assert by_line[16]["field"] == "evidence[0].url"
    assert by_line[16]["value"] == "Metadata"
    assert by_line[BAD_DATE_LINE]["field"] == "date"
    assert by_line[BAD_DATE_LINE]["value"] == "2020-10-9"


def test_a_rejects_file_with_nothing_rejected_replaces_a_stale_one(
    factledger: Factledger, tmp_path: Path
) -> None:
    path = tmp_path / "clean.jsonl"
    path.write_text(json.dumps(_claim(1)) + "\n", encoding="utf-8")
    stale = tmp_path / "clean.jsonl.rejects.jsonl"
    stale.write_text('{"line": 9, "reason": "from an earlier run"}\n')
    result = factledger("import", "jsonl", str(path), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert stale.read_text() == ""


def test_csv_skip_invalid_rejects_a_claim_whole_with_all_its_rows(
    factledger: Factledger, tmp_path: Path
) -> None:
    # Hostile input: a claim on two rows whose second row's stance is "maybe".
    path = tmp_path / "claims.csv"
    rows = [
        "text,url,stance",
        "Good claim one.,https://a.example/1,supports",
        "Two-row claim.,https://a.example/2,supports",
        "Two-row claim.,https://a.example/3,maybe",
        "Good claim two.,https://a.example/4,refutes",
    ]
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    refused = factledger("import", "csv", str(path))
    assert refused.exit_code == 1
    assert "line 4, field 'stance'" in refused.stderr
    assert "'maybe'" in refused.stderr
    result = factledger("import", "csv", str(path), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert sorted(c["text"] for c in factledger.json("claims", "list")) == [
        "Good claim one.",
        "Good claim two.",
    ]
    [reject] = [json.loads(line) for line in (tmp_path / "claims.csv.rejects.jsonl").read_text().splitlines()]
    assert reject["line"] == 4
    assert reject["input"] == "\r\n".join(rows[2:4])


def test_claimreview_skip_invalid_imports_the_good_items(factledger: Factledger, tmp_path: Path) -> None:
    good = {
        "@type": "ClaimReview",
        "claimReviewed": "The bridge opened in 2021.",
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
    }
    bad = good | {"claimReviewed": "A verdict nobody can read.", "reviewRating": {"alternateName": "Hmm"}}
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps([bad, good]), encoding="utf-8")
    result = factledger("import", "claimreview", str(path), "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert [c["text"] for c in factledger.json("claims", "list")] == ["The bridge opened in 2021."]
    [reject] = [
        json.loads(line) for line in (tmp_path / "reviews.json.rejects.jsonl").read_text().splitlines()
    ]
    assert reject["item"] == 1
    assert reject["field"] == "reviewRating.alternateName"
    assert reject["value"] == "Hmm"
    assert json.loads(reject["input"]) == bad
