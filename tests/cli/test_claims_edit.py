"""`factledger claims edit` through the real command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import Factledger

pytestmark = pytest.mark.integration

TEXT = "Power announced $11.5 million in aid."


def _added(factledger: Factledger) -> str:
    added = factledger.json("claims", "add", TEXT, "--speaker", "Samantha Power", "--date", "2023-09-25")
    return str(added["id"])


def test_edit_changes_the_claim_and_show_and_history_say_so(factledger: Factledger) -> None:
    cid = _added(factledger)
    edited = factledger.json(
        "claims",
        "edit",
        cid,
        "--text",
        "Power announced $12 million in aid.",
        "--speaker",
        "USAID",
        "--speaker-kind",
        "organisation",
        "--date",
        "2023-09-25",
        "--date",
        "2023-09-26/2023-09-27",
        "--note",
        "the release says 12",
        "--expect-version",
        "1",
        reviewer="mariam",
    )
    assert edited["version"] == 2
    assert edited["text"] == "Power announced $12 million in aid."
    assert (edited["speaker"], edited["speaker_kind"]) == ("USAID", "organisation")
    assert edited["dates"] == ["2023-09-25", "2023-09-26/2023-09-27"]
    assert (edited["edited"], edited["original_text"]) == (True, TEXT)
    shown = factledger("claims", "show", cid)
    assert f"edited; first recorded as: {TEXT}" in shown.stdout
    assert "speaker: USAID (organisation)" in shown.stdout
    history = factledger.json("claims", "history", cid)
    assert [e["kind"] for e in history] == ["claim.created", "claim.edited"]
    assert history[-1]["actor"] == "mariam"
    assert history[-1]["rationale"] == "the release says 12"
    assert history[-1]["before"]["text"] == TEXT
    assert history[-1]["after"]["speaker_kind"] == "organisation"
    table = factledger("claims", "history", cid).stdout
    assert "claim.edited" in table
    assert "USAID" in table  # the change column (wrapped by the table, so word by word)
    assert "Samantha" in table
    # The search index follows the new text.
    assert [c["id"] for c in factledger.json("claims", "list", "--search", "12 million")] == [int(cid)]
    assert factledger.json("claims", "list", "--search", "11") == []


def test_empty_speaker_and_date_clear_them(factledger: Factledger) -> None:
    cid = _added(factledger)
    cleared = factledger.json("claims", "edit", cid, "--speaker", "", "--date", "")
    assert (cleared["speaker"], cleared["speaker_kind"], cleared["dates"]) == (None, None, [])
    assert cleared["text"] == TEXT
    assert cleared["edited"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text", "  "], "claim text is empty"),
        (["--date", "2023-02-30"], "date '2023-02-30' is not a calendar date"),
        (["--date", "2023-09-25", "--date", "next week"], "date 'next week' is not YYYY-MM-DD"),
        (["--speaker-kind", "robot"], "speaker kind 'robot' is not one of person, organisation"),
        (["--speaker", "Samantha Power"], "already has these values: nothing to change"),
        (["--text", "another claim"], "already says this"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_changes_nothing(
    factledger: Factledger, args: list[str], message: str
) -> None:
    cid = _added(factledger)
    factledger("claims", "add", "Another claim.")
    result = factledger("claims", "edit", cid, *args)
    assert result.exit_code == 1, f"{args}: {result.stdout}"
    assert message in result.stderr, f"{args}: {result.stderr}"
    assert len(result.stderr.strip().splitlines()) == 1
    shown = factledger.json("claims", "show", cid)
    assert (shown["text"], shown["version"], shown["speaker"], shown["dates"]) == (
        TEXT,
        1,
        "Samantha Power",
        ["2023-09-25"],
    )


def test_unknown_id_exits_1(factledger: Factledger) -> None:
    assert factledger("init").exit_code == 0
    result = factledger("claims", "edit", "41", "--text", "Anything.")
    assert result.exit_code == 1
    assert result.stderr.strip() == "factledger: error: no claim with id 41"


def test_no_field_to_change_is_a_usage_error(factledger: Factledger) -> None:
    cid = _added(factledger)
    result = factledger("claims", "edit", cid)
    assert result.exit_code == 2
    assert "give at least one of --text, --speaker, --speaker-kind, --date" in result.stderr


def test_stale_expect_version_exits_3_naming_who_and_when(factledger: Factledger) -> None:
    cid = _added(factledger)
    assert factledger("claims", "status", cid, "in_review", reviewer="ade").exit_code == 0
    stale = factledger("claims", "edit", cid, "--text", "Power gave aid.", "--expect-version", "1")
    assert stale.exit_code == 3
    assert "version 2, not 1: it was changed by ade at" in stale.stderr
    assert "(claim.status_changed)" in stale.stderr
    assert len(stale.stderr.strip().splitlines()) == 1
    assert factledger.json("claims", "show", cid)["text"] == TEXT


def test_conflict_names_the_change_that_bumped_the_version_not_a_later_note(factledger: Factledger) -> None:
    """ade changed the status, then bo added a note: the conflict blamed bo's `claim.noted`."""
    cid = _added(factledger)
    assert factledger("claims", "status", cid, "in_review", reviewer="ade").exit_code == 0
    assert factledger("claims", "note", cid, "Looked at it.", reviewer="bo").exit_code == 0
    stale = factledger("claims", "status", cid, "supported", "--expect-version", "1")
    assert stale.exit_code == 3
    assert "it was changed by ade at" in stale.stderr
    assert "(claim.status_changed)" in stale.stderr
    assert "claim.noted" not in stale.stderr
