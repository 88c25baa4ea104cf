"""What `claims show`, `claims history` and the demo tell a person: reasons in words, no Python reprs."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Factledger
from tests.site_server import Site

pytestmark = pytest.mark.integration


def test_show_gives_the_reason_a_quote_is_missing_and_the_evidence_note(
    factledger: Factledger, site: Site
) -> None:
    """The page says 198, the quote says 212: `show` said only `missing`, and never the note."""
    url = site.html("/report", "The shelter took in 198 families over the winter, the council said.")
    cid = str(factledger.json("claims", "add", "The shelter took in 212 families.")["id"])
    quote = "The shelter took in 212 families over the winter"
    note = "Council press office, winter report"
    factledger("cite", cid, url, "--stance", "supports", "--quote", quote, "--note", note)
    factledger.archive()
    shown = factledger("claims", "show", cid)
    assert shown.exit_code == 0, shown.stderr
    print(shown.stdout, factledger.json("claims", "show", cid)["evidence"])
    assert "number differs: quote has '212', source has '198'" in shown.stdout
    assert note in shown.stdout


def test_verify_and_show_name_the_quote_check_with_the_same_keys(factledger: Factledger, site: Site) -> None:
    """`verify --json` said `detail`/`snapshot_id` where `claims show --json` said `quote_detail`/…"""
    url = site.html("/report", "The shelter took in 198 families over the winter.")
    cid = str(factledger.json("claims", "add", "The shelter took in 212 families.")["id"])
    factledger("cite", cid, url, "--stance", "supports", "--quote", "took in 212 families")
    factledger.archive()
    [checked] = factledger.json("verify")
    [shown] = factledger.json("claims", "show", cid)["evidence"]
    for key in ("quote_status", "quote_detail", "quote_snapshot_id"):
        assert checked[key] == shown[key], key
    assert "detail" not in checked
    assert "snapshot_id" not in checked


def test_jsonl_export_has_one_key_for_dates(factledger: Factledger) -> None:
    """Export wrote `date` next to `dates`."""
    factledger("claims", "add", "A claim.", "--date", "2024-03-01")
    result = factledger("export", "jsonl")
    record = json.loads(result.stdout.splitlines()[0])
    assert record["dates"] == ["2024-03-01"]
    assert "date" not in record


def test_history_words_a_first_suggestion_without_python_reprs(factledger: Factledger, site: Site) -> None:
    """The first suggested verdict read `suggested None → supported`."""
    url = site.html("/release", "Officials announced 40 new buses for the city.")
    cid = str(factledger.json("claims", "add", "Officials announced 40 new buses.")["id"])
    factledger("cite", cid, url, "--stance", "supports", "--quote", "announced 40 new buses")
    factledger.archive()
    history = factledger("claims", "history", cid).stdout
    assert "suggested none → supported" in " ".join(history.split())
    assert "None" not in history
    assert "[" not in history.replace("[unreviewed]", "")


def test_wording_spells_out_values() -> None:
    from factledger.app.wording import counts_in_words, describe_change

    assert describe_change({"suggested": None}, {"suggested": "supported"}) == "suggested none → supported"
    assert describe_change({"dates": ["2024-01-01"]}, {"dates": ["2024-01-01", "2024-02-01"]}) == (
        "dates 2024-01-01 → 2024-01-01, 2024-02-01"
    )
    assert counts_in_words({"unreviewed": 21, "supported": 2}) == "21 unreviewed, 2 supported"


def test_show_lists_dates_in_words(factledger: Factledger) -> None:
    """`claims show` printed `dates: ['2024-03-01', '2024-04-01']`."""
    cid = str(
        factledger.json("claims", "add", "A claim.", "--date", "2024-03-01", "--date", "2024-04-01")["id"]
    )
    shown = factledger("claims", "show", cid).stdout
    assert "dates: 2024-03-01, 2024-04-01" in shown
    assert "['" not in shown
