"""The claim workflow through the real command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import Factledger

pytestmark = pytest.mark.integration


def test_add_list_show_round_trip(factledger: Factledger) -> None:
    added = factledger.json(
        "claims",
        "add",
        "Power announced $11.5 million in aid.",
        "--speaker",
        "Samantha Power",
        "--date",
        "2023-09-25",
    )
    assert added["status"] == "unreviewed"
    assert added["version"] == 1
    listed = factledger.json("claims", "list")
    assert [c["id"] for c in listed] == [added["id"]]
    for key in ("id", "text", "status", "version", "speaker", "dates", "score", "needs_review"):
        assert key in listed[0]
    shown = factledger.json("claims", "show", str(added["id"]))
    assert shown["speaker"] == "Samantha Power"
    assert shown["dates"] == ["2023-09-25"]
    assert shown["evidence"] == []


def test_status_change_is_recorded_with_actor_and_rationale(factledger: Factledger) -> None:
    claim = factledger.json("claims", "add", "The meeting took place on February 18.")
    cid = str(claim["id"])
    assert factledger("claims", "status", cid, "in_review", reviewer="mariam").exit_code == 0
    result = factledger(
        "claims", "status", cid, "unverifiable", "--note", "no public record", reviewer="mariam"
    )
    assert result.exit_code == 0, result.stderr
    history = factledger.json("claims", "history", cid)
    assert [e["kind"] for e in history] == ["claim.created", "claim.status_changed", "claim.status_changed"]
    assert [e["actor"] for e in history] == ["tester", "mariam", "mariam"]
    assert history[-1]["before"]["status"] == "in_review"
    assert history[-1]["after"]["status"] == "unverifiable"
    assert history[-1]["rationale"] == "no public record"
    assert factledger.json("claims", "show", cid)["version"] == 3


def test_verdict_can_be_reopened_but_not_skipped_backwards(factledger: Factledger) -> None:
    cid = str(factledger.json("claims", "add", "A claim.")["id"])
    assert factledger("claims", "status", cid, "supported").exit_code == 0
    bad = factledger("claims", "status", cid, "refuted")
    assert bad.exit_code == 1
    assert "cannot go from supported to refuted" in bad.stderr
    assert factledger("claims", "status", cid, "in_review", "--note", "new evidence").exit_code == 0
    assert factledger("claims", "status", cid, "refuted").exit_code == 0


def test_stale_expect_version_exits_3_naming_who_and_when(factledger: Factledger) -> None:
    cid = str(factledger.json("claims", "add", "Blinken met Aliyev.")["id"])
    assert (
        factledger("claims", "status", cid, "in_review", "--expect-version", "1", reviewer="ade").exit_code
        == 0
    )
    stale = factledger("claims", "status", cid, "supported", "--expect-version", "1", reviewer="mariam")
    assert stale.exit_code == 3
    assert "version 2, not 1" in stale.stderr
    assert "by ade at" in stale.stderr
    assert len(stale.stderr.strip().splitlines()) == 1
    # Nothing was written by the refused change.
    assert factledger.json("claims", "show", cid)["status"] == "in_review"


def test_filters_status_needs_review_and_limit(factledger: Factledger) -> None:
    ids = [factledger.json("claims", "add", f"Claim number {n} about tariffs.")["id"] for n in range(5)]
    factledger("claims", "status", str(ids[1]), "in_review")
    factledger("claims", "status", str(ids[3]), "in_review")
    in_review = factledger.json("claims", "list", "--status", "in_review")
    assert [c["id"] for c in in_review] == [ids[1], ids[3]]
    assert len(factledger.json("claims", "list", "--limit", "2")) == 2
    assert factledger.json("claims", "list", "--needs-review") == []


def test_cite_normalizes_url_and_shares_one_source(factledger: Factledger) -> None:
    a = str(factledger.json("claims", "add", "Claim A.")["id"])
    b = str(factledger.json("claims", "add", "Claim B.")["id"])
    first = factledger.json(
        "cite",
        a,
        "HTTPS://WWW.State.gov/release?utm_source=tw#top",
        "--stance",
        "supports",
        "--quote",
        "really within reach of an agreement",
    )
    second = factledger.json("cite", b, "https://www.state.gov/release", "--stance", "refutes")
    assert first["url"] == "https://www.state.gov/release"
    assert first["source_id"] == second["source_id"]
    sources = factledger.json("sources", "list")
    assert len(sources) == 1
    assert sources[0]["health"] == "unknown"
    assert sources[0]["evidence"] == 2
    evidence = factledger.json("claims", "show", a)["evidence"]
    assert evidence[0]["quote_status"] == "unchecked"
    assert evidence[0]["claim_id"] == int(a)


def test_reviewer_identity_from_environment(factledger: Factledger, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from factledger.cli import cli

    monkeypatch.setenv("FACTLEDGER_REVIEWER", "tomas")
    result = CliRunner().invoke(
        cli, ["--home", str(factledger.home), "--db", factledger.db_url, "claims", "add", "X."]
    )
    assert result.exit_code == 0, result.stderr
    assert factledger.json("claims", "history", "1")[0]["actor"] == "tomas"


def test_markup_in_claims_is_shown_literally(factledger: Factledger) -> None:
    factledger("claims", "add", "Budget [bold]doubled[/bold] in 2023.")
    result = factledger("claims", "list")
    assert "[bold]doubled[/bold]" in result.stdout


def test_adding_a_near_duplicate_suggests_the_existing_claim(factledger: Factledger) -> None:
    first = factledger.json("claims", "add", "Blinken met Pashinyan and Aliyev in Munich on February 18.")
    second = factledger.json("claims", "add", "Blinken met Aliyev and Pashinyan in Munich on February 18.")
    assert [match["id"] for match in second["similar_to"]] == [first["id"]]
    assert second["id"] != first["id"]  # suggested, never merged silently
    kinds = [e["kind"] for e in factledger.json("claims", "history", str(second["id"]))]
    assert "claim.similar" in kinds
    unrelated = factledger.json("claims", "add", "The ministers met at the George Shultz Center.")
    assert unrelated["similar_to"] == []


def test_a_note_is_an_event_and_changes_no_field(factledger: Factledger) -> None:
    cid = str(factledger.json("claims", "add", "A claim to annotate.")["id"])
    note = factledger.json("claims", "note", cid, "Called the ministry; awaiting reply.", reviewer="mariam")
    assert note["kind"] == "claim.noted"
    assert note["rationale"] == "Called the ministry; awaiting reply."
    assert factledger.json("claims", "show", cid)["version"] == 1
    assert factledger.json("claims", "history", cid)[-1]["actor"] == "mariam"
    stale = factledger("claims", "note", cid, "x", "--expect-version", "7")
    assert stale.exit_code == 3
    empty = factledger("claims", "note", cid, "   ")
    assert empty.exit_code == 1
    assert "the note is empty" in empty.stderr
