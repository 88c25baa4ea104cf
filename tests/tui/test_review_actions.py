"""Every reviewer action, driven through the keyboard on a real SQLite ledger, checked in the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Input

from factledger.ledger.claims import flag_for_review
from factledger.ledger.models import Evidence
from factledger.ledger.statuses import ClaimStatus
from factledger.tui.screens.help import HelpScreen
from factledger.tui.screens.prompts import CitePrompt, TextPrompt
from factledger.tui.screens.reader import ReaderScreen
from tests.s3_server import S3Server
from tests.tui.conftest import REVIEWER, Demo, build_demo
from tests.tui.helpers import (
    SIZE,
    active_screen,
    current_row,
    main_screen,
    notifications,
    screen_text,
    settle,
    shown_detail,
    table,
    type_text,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


@pytest.mark.parametrize(
    ("key", "status"),
    [("s", "supported"), ("r", "refuted"), ("m", "mixed"), ("u", "unverifiable"), ("i", "in_review")],
)
async def test_status_keys_record_status_actor_and_rationale(demo: Demo, key: str, status: str) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        assert isinstance(pilot.app.screen, TextPrompt)
        await type_text(pilot, "checked the release")
        await pilot.press("enter")
        await settle(pilot)
        assert f"claim {demo.power_id} is now {status}" in notifications(pilot)
        assert current_row(pilot).status == status
    claim = demo.claim(demo.power_id)
    assert claim.status == status
    assert claim.rationale == "checked the release"
    last = demo.events(demo.power_id)[-1]
    assert (last.kind, last.actor, last.rationale) == (
        "claim.status_changed",
        REVIEWER,
        "checked the release",
    )
    assert last.after == {"status": status, "version": 2}


async def test_escape_cancels_the_rationale_prompt_and_writes_nothing(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "escape")
        await settle(pilot)
    assert demo.claim(demo.power_id).status == "unreviewed"


async def test_accept_takes_the_suggested_verdict(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert "is now supported" in screen_text(pilot) or any("supported" in n for n in notifications(pilot))
    claim = demo.claim(demo.power_id)
    assert claim.status == "supported"
    last = demo.events(demo.power_id)[-1]
    assert (last.kind, last.actor) == ("claim.suggestion_accepted", REVIEWER)


async def test_accept_without_a_suggestion_is_a_notification(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "a")
        await settle(pilot)
        assert any("no suggested verdict" in n for n in notifications(pilot))
        assert pilot.app.is_running
    assert demo.claim(demo.talks_id).status == "unreviewed"


async def test_assign_and_unassign(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await type_text(pilot, "ade")
        await pilot.press("enter")
        await settle(pilot)
        assert "ade" in screen_text(pilot)
        assert demo.claim(demo.power_id).assignee == "ade"
        await pilot.press("A")
        assert pilot.app.screen.query_one(Input).value == "ade"  # pre-filled with the current assignee
        pilot.app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await settle(pilot)
    assert demo.claim(demo.power_id).assignee is None
    kinds = [(e.kind, e.actor) for e in demo.events(demo.power_id)[-2:]]
    assert kinds == [("claim.assigned", REVIEWER), ("claim.assigned", REVIEWER)]


async def test_note_is_an_event_in_the_audit_log(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await type_text(pilot, "call the press office")
        await pilot.press("enter")
        await settle(pilot)
        shown = main_screen(pilot).detail_pane.detail
        assert shown is not None
        assert shown.events[-1].rationale == "call the press office"
    last = demo.events(demo.power_id)[-1]
    assert (last.kind, last.actor, last.rationale) == ("claim.noted", REVIEWER, "call the press office")
    assert demo.claim(demo.power_id).version == 1  # a note changes nothing a colleague could overwrite


async def test_cite_validates_like_the_cli_and_keeps_what_was_typed(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "c")
        assert isinstance(pilot.app.screen, CitePrompt)
        screen = pilot.app.screen
        screen.query_one("#cite-url", Input).value = "ftp://example.org/file"
        screen.query_one("#cite-quote", Input).value = "talks would resume"
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen  # still open, nothing lost
        assert screen.query_one("#cite-quote", Input).value == "talks would resume"
        assert any("ftp" in n or "URL" in n or "url" in n for n in notifications(pilot))
        screen.query_one("#cite-url", Input).value = "https://Example.org/Statement?utm_source=x"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(active_screen(pilot), CitePrompt)
        assert "+1 −1" in screen_text(pilot)  # the row's tallies updated
    with demo.ledger.read() as session:
        quotes = session.scalars(select(Evidence.quote).where(Evidence.claim_id == demo.talks_id)).all()
    assert "talks would resume" in quotes
    last = demo.events(demo.talks_id)[-1]
    assert (last.kind, last.actor) == ("evidence.added", REVIEWER)


async def test_navigation_pages_through_many_claims(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "home", extra_claims=[f"Plain claim number {n}." for n in range(250)])
    try:
        async with demo.app().run_test(size=SIZE) as pilot:
            await settle(pilot)
            grid = table(pilot)
            assert grid.total == 252
            await pilot.press("j", "j", "j")
            await settle(pilot)
            assert grid.cursor == 3
            await pilot.press("k")
            assert grid.cursor == 2
            await pilot.press("G")
            await settle(pilot)
            assert grid.cursor == 251
            assert grid.current is not None
            assert grid.current.text == "Plain claim number 249."
            assert "Plain claim number 249." in screen_text(pilot)
            await pilot.press("g")
            await settle(pilot)
            assert grid.cursor == 0
            assert grid.current is not None
            assert grid.current.id == demo.power_id
            for _ in range(12):
                await pilot.press("pagedown")
            await settle(pilot)
            assert grid.current is not None  # pages past the first keyset page load on demand
            assert shown_detail(pilot).id == grid.current.id
    finally:
        demo.ledger.close()


async def test_next_needing_attention_jumps_to_flagged_claims(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "home", extra_claims=[f"Plain claim number {n}." for n in range(30)])
    flagged = demo.plain_ids[20]
    with demo.ledger.write() as session:
        flag_for_review(session, "archiver", flagged, "source gone")
    try:
        async with demo.app().run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("full_stop")
            await settle(pilot)
            assert current_row(pilot).id == flagged
            assert "⚑ needs review: source gone" in screen_text(pilot)
            await pilot.press("N")  # no other flagged claim: falls back to the next unreviewed one
            await settle(pilot)
            assert current_row(pilot).id != flagged
    finally:
        demo.ledger.close()


async def test_search_filter_sort_and_clear(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "talks resume")
        await pilot.press("enter")
        await settle(pilot)
        assert table(pilot).total == 1
        assert current_row(pilot).id == demo.talks_id
        assert "search: talks resume" in screen_text(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert table(pilot).total == 2
        await pilot.press("F")
        screen = pilot.app.screen
        from textual.widgets import Checkbox

        screen.query_one(Checkbox).value = True
        await pilot.click("#filter-apply")
        await settle(pilot)
        assert table(pilot).total == 0
        assert "no claims match" in screen_text(pilot)
        await pilot.press("x", "S")
        await settle(pilot)
        assert table(pilot).row_query.sort.value == "updated"
        await pilot.press("S")
        await settle(pilot)
        assert table(pilot).row_query.sort.value == "created"
        assert current_row(pilot).id == demo.power_id


async def test_reader_highlights_the_quote_and_steps_through_captures(demo: Demo) -> None:
    from tests.tui.test_review_screens import add_second_capture

    add_second_capture(demo)
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        reader = pilot.app.screen
        assert isinstance(reader, ReaderScreen)
        area = reader.query_one("#reader-text")
        assert area.selected_text == "announced $11.5 million in humanitarian assistance"  # type: ignore[attr-defined]
        assert "capture 1 of 2" in screen_text(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "capture 2 of 2" in screen_text(pilot)
        assert "not found verbatim" in screen_text(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert "what changed" in screen_text(pilot)
        assert "-Today Administrator Power announced" in reader.query_one("#reader-text").text  # type: ignore[attr-defined]
        await pilot.press("left_square_bracket", "d")
        await settle(pilot)
        assert "capture 1 of 2" in screen_text(pilot)
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, ReaderScreen)


async def test_the_reader_opens_captures_from_the_teams_bucket(tmp_path: Path, s3_server: S3Server) -> None:
    """A reviewer on another machine: the capture's text lives in the bucket (moto on loopback), not in
    the reviewer's home."""
    demo = build_demo(tmp_path / "home", store=s3_server.new_bucket())
    try:
        assert not (demo.home / "text").exists()
        async with demo.app().run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("o")
            await settle(pilot)
            reader = pilot.app.screen
            assert isinstance(reader, ReaderScreen)
            area = reader.query_one("#reader-text")
            assert area.selected_text == "announced $11.5 million in humanitarian assistance"  # type: ignore[attr-defined]
    finally:
        demo.ledger.close()


async def test_help_lists_every_binding(demo: Demo) -> None:
    from factledger.tui.keys import binding_ids

    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        listed = {entry.binding_id for entry in pilot.app.screen.entries}
        assert binding_ids() <= listed
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, HelpScreen)


async def test_command_palette_runs_actions(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Unverifiable")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TextPrompt)
        await pilot.press("enter")
        await settle(pilot)
    assert demo.claim(demo.power_id).status == ClaimStatus.UNVERIFIABLE.value


async def test_keys_remap_through_the_keymap(demo: Demo) -> None:
    config = demo.config(
        keymap={"set_supported": "ctrl+s", "note": "ctrl+n"}, keymap_problems=["[keys] nope: no such binding"]
    )
    from factledger.tui.app import ReviewApp

    async with ReviewApp(demo.ledger, config).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "[keys] nope: no such binding" in notifications(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, TextPrompt)  # s no longer sets supported
        await pilot.press("ctrl+s")
        assert isinstance(pilot.app.screen, TextPrompt)
        await pilot.press("enter")
        await settle(pilot)
    assert demo.claim(demo.power_id).status == "supported"


async def test_keymap_comes_from_the_keys_table() -> None:
    from factledger.tui.keys import keymap_from_options

    keymap, problems = keymap_from_options({"keys": {"set_supported": "ctrl+s", "bogus": "x", "note": 3}})
    assert keymap == {"set_supported": "ctrl+s"}
    assert len(problems) == 2


async def test_quit(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not pilot.app.is_running
