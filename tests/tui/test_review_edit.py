"""The ``e`` form: correcting a claim from the review app, checked in the database."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from factledger.ledger.claim_edits import ClaimEdit, edit_claim
from factledger.ledger.claims import ClaimDraft, add_claim
from factledger.ledger.database import Ledger
from factledger.tui.screens.edit import EditPrompt
from factledger.tui.widgets.detail import render_context
from tests.tui.conftest import CLAIM_TEXT, REVIEWER, Demo
from tests.tui.helpers import SIZE, current_row, main_screen, notifications, settle, shown_detail

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

CORRECTED = "During her visit Power announced $12 million in humanitarian assistance."


def _field(pilot: object, name: str) -> Input:
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, EditPrompt)
    return screen.query_one(f"#edit-{name}", Input)


async def _open_form(pilot: object) -> EditPrompt:
    await pilot.press("e")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, EditPrompt)
    return screen


async def test_e_opens_the_form_filled_in_and_saves_an_audited_edit(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompt = await _open_form(pilot)
        assert _field(pilot, "text").value == CLAIM_TEXT
        assert _field(pilot, "speaker").value == "Power"
        assert _field(pilot, "dates").value == "2023-09-25"
        assert prompt.query_one("#edit-kind", Select).value == "unknown"
        _field(pilot, "text").value = CORRECTED
        _field(pilot, "speaker").value = "Samantha Power"
        prompt.query_one("#edit-kind", Select).value = "person"
        _field(pilot, "dates").value = "2023-09-25, 2023-09-26/2023-09-27"
        _field(pilot, "note").value = "the release says 12"
        _field(pilot, "note").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert f"claim {demo.power_id} edited" in notifications(pilot)
        assert current_row(pilot).text == CORRECTED
        # The detail shows the document's own sentence in its context, and the correction under it.
        detail = main_screen(pilot).detail_pane.detail
        assert detail is not None
        assert detail.version == 2
        context = render_context(detail).plain
        assert f"{CLAIM_TEXT} Officials said" in context
        assert context.endswith(f"\nedited {CORRECTED}")
    claim = demo.claim(demo.power_id)
    assert (claim.text, claim.speaker, claim.speaker_kind) == (CORRECTED, "Samantha Power", "person")
    assert claim.dates == ["2023-09-25", "2023-09-26/2023-09-27"]
    assert claim.original_text == CLAIM_TEXT
    last = demo.events(demo.power_id)[-1]
    assert (last.kind, last.actor, last.rationale) == ("claim.edited", REVIEWER, "the release says 12")
    assert last.before is not None
    assert last.before["text"] == CLAIM_TEXT


async def test_an_impossible_date_keeps_the_form_open_with_what_was_typed(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open_form(pilot)
        _field(pilot, "dates").value = "2023-02-30"
        _field(pilot, "dates").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert any("'2023-02-30' is not a calendar date" in n for n in notifications(pilot))
        assert _field(pilot, "dates").value == "2023-02-30"
        await pilot.press("escape")
        await settle(pilot)
    assert demo.claim(demo.power_id).version == 1


async def test_another_claims_text_is_refused_and_the_form_comes_back(demo: Demo) -> None:
    with demo.ledger.write() as session:
        add_claim(session, "tester", ClaimDraft(text="Talks resumed in April."))
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open_form(pilot)
        _field(pilot, "text").value = "talks resumed in april"
        _field(pilot, "text").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert any("already says this" in n for n in notifications(pilot))
        assert _field(pilot, "text").value == "talks resumed in april"
    assert demo.claim(demo.power_id).text == CLAIM_TEXT


async def test_conflict_names_who_edited_and_keeps_what_was_typed(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open_form(pilot)
        # A colleague in another session corrects the speaker while the form is open.
        other = Ledger(demo.ledger.url)
        with other.write() as session:
            edit_claim(session, "alice", demo.power_id, ClaimEdit(speaker="Samantha Power"))
        other.close()
        _field(pilot, "text").value = CORRECTED
        _field(pilot, "text").focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(0.5)
        await settle(pilot)
        notice = next(n for n in notifications(pilot) if "changed" in n)
        assert "alice" in notice
        assert "claim.edited" in notice
        assert "speaker Power → Samantha Power" in notice
        # The form is back with the text typed, and the colleague's speaker in the field left alone.
        assert _field(pilot, "text").value == CORRECTED
        assert _field(pilot, "speaker").value == "Samantha Power"
        assert shown_detail(pilot).version == 2
        _field(pilot, "text").focus()
        await pilot.press("enter")
        await settle(pilot)
    claim = demo.claim(demo.power_id)
    # Saving again goes through against the new version, and writes only what this reviewer changed.
    assert (claim.text, claim.speaker, claim.version) == (CORRECTED, "Samantha Power", 3)
    assert demo.events(demo.power_id)[-1].after == {"text": CORRECTED, "version": 3}
