"""List output where people put it: pipes (tab-separated rows), --csv, --jsonl, and the filters."""

from __future__ import annotations

import csv
import io
import json
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Factledger
from tests.site_server import Site

pytestmark = pytest.mark.integration

LONG = "The regional council said on Tuesday that it would spend 4.2 million on new flood barriers " * 2


def _rows(stdout: str) -> list[dict[str, str]]:
    lines = stdout.rstrip("\n").split("\n")
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(row) == len(header) for row in rows), lines
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_sources_list_puts_each_value_under_its_header(factledger: Factledger, site: Site) -> None:
    """`reason` held the URL, and every later column was shifted one to the left."""
    url = site.html("/gone", "Removed.", status=410)
    cid = str(factledger.json("claims", "add", "A claim.")["id"])
    factledger("cite", cid, url, "--stance", "supports")
    factledger.archive()
    [row] = _rows(factledger("sources", "list").stdout)
    assert row["health"] == "gone"
    assert row["reason"] == "HTTP 410"
    assert row["url"] == url
    assert row["last check"].startswith("20")
    assert row["next check"].startswith("20")
    assert (row["snapshots"], row["evidence"]) == ("1", "1")


def test_a_pipe_gets_one_claim_a_line_with_its_whole_text(factledger: Factledger) -> None:
    """Piped, the table was squeezed to 80 columns with one word a line."""
    factledger("claims", "add", LONG.strip())
    result = factledger("claims", "list")
    [row] = _rows(result.stdout)
    assert row["claim"] == LONG.strip()
    assert "│" not in result.stdout


def test_tabs_newlines_and_escapes_in_a_value_do_not_break_the_rows(factledger: Factledger) -> None:
    factledger("claims", "add", "One\tclaim\nover two lines.\x1b[2J", "--speaker", "A\tB")
    result = factledger("claims", "list")
    [row] = _rows(result.stdout)
    assert row["claim"].startswith("One claim over two lines.")  # the escape shown, not sent
    assert "\x1b" not in result.stdout


def test_csv_and_jsonl_carry_every_field(factledger: Factledger) -> None:
    for text in ("First claim, with a comma.", 'Second "quoted" claim.'):
        factledger("claims", "add", text, "--date", "2024-05-01")
    as_json = factledger.json("claims", "list")
    lines = factledger("claims", "list", "--jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == as_json
    rows = list(csv.DictReader(io.StringIO(factledger("claims", "list", "--csv").stdout)))
    assert [row["text"] for row in rows] == ["First claim, with a comma.", 'Second "quoted" claim.']
    assert set(rows[0]) == set(as_json[0])
    assert json.loads(rows[0]["dates"]) == ["2024-05-01"]
    history = factledger("claims", "history", str(as_json[0]["id"]), "--csv").stdout
    assert next(csv.DictReader(io.StringIO(history)))["kind"] == "claim.created"


def test_claims_list_by_assignee_and_mine(factledger: Factledger) -> None:
    ids = [str(factledger.json("claims", "add", f"Claim number {n}.")["id"]) for n in range(3)]
    factledger("claims", "assign", ids[0], "ade")
    factledger("claims", "assign", ids[2], "tester")
    assert [c["id"] for c in factledger.json("claims", "list", "--assignee", "ade")] == [int(ids[0])]
    assert [c["id"] for c in factledger.json("claims", "list", "--mine")] == [int(ids[2])]
    assert [c["id"] for c in factledger.json("claims", "list", "--mine", reviewer="ade")] == [int(ids[0])]
    clash = factledger("claims", "list", "--mine", "--assignee", "ade")
    assert clash.exit_code == 2


def test_a_closed_pipe_ends_quietly(factledger: Factledger, tmp_path: Path) -> None:
    """`claims list | head -1` ended with `internal error (BrokenPipeError)`."""
    records = tmp_path / "many.jsonl"
    records.write_text(
        "".join(json.dumps({"text": f"Claim number {n} says {n} things."}) + "\n" for n in range(3000))
    )
    assert factledger("import", "jsonl", str(records)).exit_code == 0
    command = shlex.join(factledger.command("claims", "list", "--limit", "3000"))
    piped = subprocess.run(
        f"{command} | head -1", shell=True, capture_output=True, text=True, timeout=120, check=False
    )
    assert piped.stdout.startswith("id\t")
    assert piped.stderr == ""


def test_cite_reads_many_sources_from_stdin(factledger: Factledger) -> None:
    """`cite` took one URL: forty sources meant forty commands (`archivebox add < urls.txt` reads them all)."""
    cid = str(factledger.json("claims", "add", "The shelter took in 212 families.")["id"])
    lines = (
        "# sources for claim 1\n"
        'https://example.org/council-report supports "took in 198 families"\n'
        "\n"
        "https://example.org/interview refutes the director said 212\n"
        "https://example.org/background\n"
    )
    result = factledger("cite", cid, "-", "--stance", "context", "--json", input=lines)
    assert result.exit_code == 0, result.stderr
    cited = [(e["url"], e["stance"], e["quote"]) for e in json.loads(result.stdout)]
    assert cited == [
        ("https://example.org/council-report", "supports", "took in 198 families"),
        ("https://example.org/interview", "refutes", "the director said 212"),
        ("https://example.org/background", "context", None),
    ]


def test_cite_from_stdin_is_all_or_nothing_and_names_the_bad_line(factledger: Factledger) -> None:
    cid = str(factledger.json("claims", "add", "A claim.")["id"])
    bad_url = "https://example.org/a supports\nftp://example.org/b supports\n"
    result = factledger("cite", cid, "-", input=bad_url)
    assert result.exit_code == 1
    assert "line 2:" in result.stderr
    assert factledger.json("claims", "show", cid)["evidence"] == []
    no_stance = factledger("cite", cid, "-", input="https://example.org/a\n")
    assert no_stance.exit_code == 1
    assert "line 1: no stance" in no_stance.stderr
    bad_stance = factledger("cite", cid, "-", input="https://example.org/a maybe\n")
    assert "line 1: 'maybe' is not a stance" in bad_stance.stderr
