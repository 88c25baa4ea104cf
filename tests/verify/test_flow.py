"""Quote verification through the real commands: archive → automatic check → suggestion → accept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factledger.ledger.database import open_ledger
from factledger.ledger.models import Snapshot, Source
from tests.conftest import Factledger, on_both_stores
from tests.site_server import Site

pytestmark = pytest.mark.integration

RELEASE = (
    "Today Administrator Power announced $11.5 million in humanitarian assistance for the people "
    "affected by the crisis."
)
QUOTE = "announced $11.5 million in humanitarian assistance"


@on_both_stores
def test_found_quote_suggests_supported_and_accept_records_it(factledger: Factledger, site: Site) -> None:
    url = site.html("/usaid", RELEASE.replace("$11.5 million", "<b>$11.5&nbsp;million</b>"))
    cid = str(factledger.json("claims", "add", "Power announced $11.5 million in aid.")["id"])
    factledger("cite", cid, url, "--stance", "supports", "--quote", QUOTE)
    factledger.archive()  # verification runs after the capture, without being asked

    claim = factledger.json("claims", "show", cid)
    [evidence] = claim["evidence"]
    assert evidence["quote_status"] == "found"
    assert evidence["score"] == 1.0
    assert evidence["quote_snapshot_id"] is not None
    assert evidence["quote_span"] is not None
    assert claim["suggested"] == "supported"
    assert "support" in claim["suggestion_reason"]
    assert claim["status"] == "unreviewed"  # only a reviewer sets the verdict

    accepted = factledger(
        "claims", "accept", cid, "--expect-version", str(claim["version"]), reviewer="mariam"
    )
    assert accepted.exit_code == 0, accepted.stderr
    assert factledger.json("claims", "show", cid)["status"] == "supported"
    last = factledger.json("claims", "history", cid)[-1]
    assert last["kind"] == "claim.suggestion_accepted"
    assert last["actor"] == "mariam"
    assert "accepted the suggested verdict" in last["rationale"]


@on_both_stores
def test_quote_lost_from_a_new_capture_flags_the_claim(factledger: Factledger, site: Site) -> None:
    url = site.html("/statement", RELEASE)
    cid = str(factledger.json("claims", "add", "Power announced $11.5 million.")["id"])
    factledger("cite", cid, url, "--stance", "supports", "--quote", QUOTE)
    factledger.archive()
    first = factledger.json("claims", "show", cid)["evidence"][0]
    assert first["quote_status"] == "found"

    site.html("/statement", "Today Administrator Power visited the region.")
    factledger.archive("--recheck")
    claim = factledger.json("claims", "show", cid)
    evidence = claim["evidence"][0]
    assert evidence["quote_status"] == "missing"
    assert evidence["quote_found_snapshot_id"] == first["quote_snapshot_id"]  # where it still is
    assert claim["needs_review"] is True
    assert claim["needs_review_reason"].startswith("quote no longer on source (captured ")


def test_conflicting_verified_sources_suggest_mixed(factledger: Factledger, site: Site) -> None:
    yes = site.html("/yes", "The ambassador is Edmon Marukyan, the ambassador-at-large.")
    no = site.html("/no", "Edmon Marukyan is not an ambassador; he is a former minister.")
    cid = str(factledger.json("claims", "add", "Edmon Marukyan is Armenia's ambassador-at-large.")["id"])
    factledger("cite", cid, yes, "--stance", "supports", "--quote", "Edmon Marukyan, the ambassador-at-large")
    factledger("cite", cid, no, "--stance", "refutes", "--quote", "Edmon Marukyan is not an ambassador")
    factledger.archive()
    claim = factledger.json("claims", "show", cid)
    assert [e["quote_status"] for e in claim["evidence"]] == ["found", "found"]
    assert claim["suggested"] == "mixed"


def test_a_negated_quote_is_never_found(factledger: Factledger, site: Site) -> None:
    url = site.html("/negated", "The United States will not host the next round of talks.")
    cid = str(factledger.json("claims", "add", "The US will host the next round.")["id"])
    factledger(
        "cite", cid, url, "--stance", "supports", "--quote", "The United States will host the next round"
    )
    factledger.archive()
    evidence = factledger.json("claims", "show", cid)["evidence"][0]
    assert evidence["quote_status"] == "missing"
    assert any("not" in line for line in evidence["quote_detail"])


def test_unarchived_evidence_is_no_snapshot_and_unverifiable(factledger: Factledger) -> None:
    cid = str(factledger.json("claims", "add", "A claim with an unarchived source.")["id"])
    factledger("cite", cid, "https://example.org/never-fetched", "--stance", "supports", "--quote", "words")
    results = factledger.json("verify", "--claim", cid)
    assert [r["quote_status"] for r in results] == ["no_snapshot"]
    assert factledger.json("claims", "show", cid)["suggested"] == "unverifiable"
    unknown = factledger("verify", "--claim", "999")
    assert unknown.exit_code == 1


@on_both_stores
def test_gone_source_points_to_our_snapshot_that_still_holds_the_quote(
    factledger: Factledger, site: Site
) -> None:
    url = site.html("/doomed", RELEASE)
    cid = str(factledger.json("claims", "add", "Power announced $11.5 million.")["id"])
    factledger("cite", cid, url, "--stance", "supports", "--quote", QUOTE)
    factledger.archive()
    site.html("/doomed", "Gone.", status=410)
    factledger.archive("--recheck")
    claim = factledger.json("claims", "show", cid)
    evidence = claim["evidence"][0]
    assert evidence["source_health"] == "gone"
    assert evidence["quote_status"] == "found"  # still verified against our archived copy
    assert evidence["archived_copy"]["snapshot_id"] == evidence["quote_found_snapshot_id"]
    shown = factledger("claims", "show", cid)
    assert "still holds the quote" in shown.stdout


def test_capture_normalizes_only_texts_that_a_quote_is_checked_against(
    factledger: Factledger, site: Site
) -> None:
    """The archiver normalizes a new text (in its worker processes) only for sources a quote cites; a
    source cited without a quote is left alone until a quote cites it, then its first check does it."""
    quoted_url = site.html("/quoted", RELEASE)
    plain_url = site.html("/plain", RELEASE + " The visit lasted two days.")
    cid = str(factledger.json("claims", "add", "Power announced $11.5 million.")["id"])
    factledger("cite", cid, quoted_url, "--stance", "supports", "--quote", QUOTE)
    factledger("cite", cid, plain_url, "--stance", "context")
    factledger.archive()

    def text_ref(url: str) -> str:
        ledger = open_ledger(factledger.db_url)
        try:
            with ledger.read() as session:
                query = select(Snapshot.full_text_ref).join(Source).where(Source.url == url)
                return str(session.scalars(query).one())
        finally:
            ledger.close()

    def normalized_refs() -> set[str]:
        return {path.name.split(".")[0] for path in (factledger.home / "text").rglob("*.norm.gz")}

    assert normalized_refs() == {text_ref(quoted_url)}
    assert factledger.json("claims", "show", cid)["evidence"][0]["quote_status"] == "found"

    later = str(factledger.json("claims", "add", "The visit lasted two days.")["id"])
    factledger("cite", later, plain_url, "--stance", "supports", "--quote", "the visit lasted two days")
    [checked] = factledger.json("verify", "--claim", later)
    assert checked["quote_status"] == "found"
    assert normalized_refs() == {text_ref(quoted_url), text_ref(plain_url)}


def test_quotes_of_many_sources_are_checked_through_the_worker_processes(
    factledger: Factledger, site: Site
) -> None:
    """Enough due sources for the archiver's process pool: the text hook is sent to the worker
    processes (pickled), normalizes there, and every quote is found after the run."""
    cid = str(factledger.json("claims", "add", "Power announced aid in many places.")["id"])
    for n in range(20):
        url = site.html(f"/release/{n}", RELEASE.replace("the crisis", f"crisis number {n}"))
        factledger("cite", cid, url, "--stance", "supports", "--quote", f"affected by crisis number {n}")
    factledger.archive()
    evidence = factledger.json("claims", "show", cid)["evidence"]
    assert [item["quote_status"] for item in evidence] == ["found"] * 20
    assert len(list((factledger.home / "text").rglob("*.norm.gz"))) == 20
