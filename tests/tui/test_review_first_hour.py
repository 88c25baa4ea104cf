"""The review app as a first-time reviewer meets it (issue 15): a small terminal, big ids, the footer,
help, the command palette, the search prompt, and other reviewers' changes showing up on their own."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList
from textual.pilot import Pilot

from factledger.ledger.bulk.claim_import import ClaimRecord, import_claims
from factledger.ledger.claims import ClaimDraft, add_claim, assign_claim, change_status
from factledger.ledger.database import Ledger
from factledger.ledger.models import Claim
from factledger.ledger.review_queries import LedgerChanges
from factledger.ledger.sources import cite
from factledger.ledger.statuses import ClaimStatus, Stance
from factledger.tui.keys import binding_ids
from factledger.tui.screens.help import HelpScreen
from factledger.tui.screens.prompts import TextPrompt
from tests.site_server import Site
from tests.tui.conftest import CLAIM_TEXT, REVIEWER, Demo, build_demo
from tests.tui.helpers import SIZE, current_row, main_screen, notifications, screen_text, settle, shown_detail

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

SMALL = (80, 24)


def _table_lines(pilot: Pilot[None]) -> list[str]:
    """The claims table's header and rows as on screen (the title bar is line 0)."""
    lines = screen_text(pilot).splitlines()
    return lines[1 : 1 + main_screen(pilot).table.size.height]


async def test_at_80x24_the_claim_text_keeps_its_column(demo: Demo) -> None:
    # The bad layout: every column at its full width left the claim text 0 cells at 80 columns.
    async with demo.app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        header, first_row = _table_lines(pilot)[:2]
        assert header.split()[:2] == ["id", "status"]
        assert "claim" in header.split()
        assert CLAIM_TEXT[:30] in first_row
        assert re.match(r"\s*1 unreviewed", first_row)


def test_narrow_lines_drop_other_columns_before_the_claim() -> None:
    from factledger.tui.widgets.claim_table import column_layout

    for width in (50, 80, 100, 120, 160):
        layout = {column.title: cells for column, cells in column_layout(width, 1_000_000)}
        assert (layout["id"], layout["status"]) == (7, 12)
        # The claim gets 30 cells wherever that is possible at all, and everything else once there is room.
        assert layout["claim"] >= min(30, width - 7 - 12 - 3)
        assert sum(cells + 1 for cells in layout.values()) == width
    assert len(column_layout(160, 9)) == 10  # nothing dropped on a wide terminal


def _ledger_up_to_a_million(home: Path) -> tuple[Ledger, int]:
    """A ledger whose newest claim is claim 1,000,000, built in a second.

    One placeholder row is written at id 999,997 so that the bulk import that follows numbers its three
    claims 999,998 to 1,000,000 (importing a million claims would take a minute)."""
    demo = build_demo(home)
    with demo.ledger.write() as session:
        session.add(Claim(id=999_997, text="placeholder", text_hash=bytes(8), score=0.0))
    with demo.ledger.write() as session:
        import_claims(
            session,
            "importer",
            [
                ClaimRecord(text=f"Imported claim number {n} about the budget.", score=0.95 + n / 100)
                for n in range(3)
            ],
            origin="test",
        )
    return demo.ledger, 1_000_000


async def test_a_seven_digit_id_is_shown_whole(tmp_path: Path) -> None:
    # The bad cut: a 6-cell id column showed claim 1000000 as "100000", which is another claim's id.
    ledger, biggest = _ledger_up_to_a_million(tmp_path / "home")
    demo = Demo(ledger, tmp_path / "home", 0, 0, [])
    try:
        for size in (SMALL, SIZE):
            async with demo.app().run_test(size=size) as pilot:
                await settle(pilot)
                assert current_row(pilot).id == biggest  # the highest score is on top
                first_row = _table_lines(pilot)[1]
                assert first_row.split()[0] == str(biggest)
                assert "Imported claim number 2" in first_row
    finally:
        ledger.close()


async def test_the_footer_starts_with_help_search_open_and_quit(demo: Demo) -> None:
    # The bad footer began with ". Next needing attention" and never said how to quit or get help.
    async with demo.app().run_test(size=SMALL) as pilot:
        await settle(pilot)
        footer = screen_text(pilot).splitlines()[-1]
        assert re.match(r"\s*\? Help\s+/ Search\s+o Open capture\s+q Quit\s", footer), footer


async def test_help_groups_the_apps_own_keys_by_task(demo: Demo) -> None:
    # The bad help screen began with 13 of Textual's bindings ("Scroll Left", "Focus Next", ...).
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        tasks = list(dict.fromkeys(entry.task for entry in help_screen.entries))
        assert tasks[:4] == ["move", "decide", "evidence", "find"]
        listed = [entry.binding_id for entry in help_screen.entries]
        assert sorted(listed) == sorted(binding_ids())  # each of the app's bindings once, nothing else
        by_id = {entry.binding_id: entry for entry in help_screen.entries}
        assert (by_id["cursor_down"].task, by_id["cursor_down"].keys) == ("move", "j, ↓")
        assert (by_id["set_refuted"].task, by_id["cite"].task, by_id["search"].task) == (
            "decide",
            "evidence",
            "find",
        )
        text = screen_text(pilot)
        for inherited in ("Scroll Left", "Focus Next", "Copy selected text"):
            assert inherited not in text


def test_every_binding_has_one_task() -> None:
    from factledger.tui.keys import TASKS

    grouped = [binding_id for ids in TASKS.values() for binding_id in ids]
    assert sorted(grouped) == sorted(binding_ids())


async def test_the_command_palette_lists_each_command_once(demo: Demo) -> None:
    # The bad palette showed each command twice ("Cite", then "Cite (c)") plus Theme, Screenshot, Keys.
    async with demo.app().run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        await settle(pilot)
        commands = pilot.app.screen.query_one(CommandList)
        entries = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
        names = [re.sub(r" \(.*\)$", "", entry.splitlines()[0]) for entry in entries]
        assert len(names) == len(set(names)), names
        assert all("\n" not in entry.strip() for entry in entries), entries  # no second line repeating it
        for textual_own in ("Theme", "Screenshot", "Keys", "Maximize", "Down", "Up"):
            assert textual_own not in names
        for wanted in ("Cite", "Supported", "Search", "Help", "Quit", "Next needing attention"):
            assert wanted in names
        assert "Cite (c)" in entries


async def test_the_search_prompt_says_enter_searches(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TextPrompt)
        text = screen_text(pilot)
        assert "Enter: search" in text
        assert "Enter: save" not in text


async def _until(pilot: Pilot[None], condition: object, seconds: float = 8.0) -> bool:
    """Wait without touching a key until ``condition()`` holds (or give up after ``seconds``)."""
    for _ in range(int(seconds / 0.1)):
        if condition():  # type: ignore[operator]
            return True
        await pilot.pause(0.1)
    return bool(condition())  # type: ignore[operator]


async def test_another_reviewers_changes_show_up_without_a_key(demo: Demo) -> None:
    # The bad app showed what it read at start until the reviewer pressed ctrl+r.
    async with demo.app(watch_seconds=0.3).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_row(pilot).id == demo.power_id
        assert shown_detail(pilot).status == ClaimStatus.UNREVIEWED.value
        other = Ledger(demo.ledger.url)  # another reviewer's session, on its own connection
        try:
            with other.write() as session:
                change_status(session, "alice", demo.power_id, ClaimStatus.REFUTED, rationale="wrong figure")
                assign_claim(session, "alice", demo.talks_id, "tomas")
            assert await _until(
                pilot,
                lambda: (
                    current_row(pilot).status == ClaimStatus.REFUTED.value
                    and shown_detail(pilot).status == ClaimStatus.REFUTED.value
                ),
            )
            assert shown_detail(pilot).version == 2
            talks = main_screen(pilot).table.row_at(1)
            assert talks is not None
            assert (talks.id, talks.assignee) == (demo.talks_id, "tomas")
            assert "wrong figure" in screen_text(pilot)
            # A claim added elsewhere appears in the list and the count.
            with other.write() as session:
                add_claim(session, "alice", ClaimDraft(text="A new claim from another desk.", score=0.99))
            assert await _until(pilot, lambda: main_screen(pilot).table.total == 3)
            assert await _until(pilot, lambda: "3 claims" in screen_text(pilot))
        finally:
            other.close()


async def test_claims_added_elsewhere_keep_the_cursor_on_its_claim(demo: Demo) -> None:
    # Re-reading the table at the same position would move the reviewer to whichever claim now sits there.
    async with demo.app(watch_seconds=0.3).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert (current_row(pilot).id, shown_detail(pilot).id) == (demo.talks_id, demo.talks_id)
        other = Ledger(demo.ledger.url)
        try:
            with other.write() as session:
                for n in range(3):  # all ranked above every claim on screen
                    add_claim(
                        session, "alice", ClaimDraft(text=f"Urgent claim {n} from another desk.", score=0.99)
                    )
        finally:
            other.close()
        assert await _until(pilot, lambda: main_screen(pilot).table.total == 5)
        await settle(pilot)
        assert main_screen(pilot).table.cursor == 4
        assert (current_row(pilot).id, shown_detail(pilot).id) == (demo.talks_id, demo.talks_id)


async def test_no_refresh_reads_when_nothing_changed(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    """At rest the app only asks for changes: no page, row or detail is read again."""
    from factledger.app import queue

    reads: list[str] = []
    asked: list[int] = []

    def counted(name: str, read: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            reads.append(name)
            return read(*args, **kwargs)

        return wrapper

    def changes(ledger: Ledger, after: int) -> LedgerChanges:
        asked.append(after)
        return original_changes(ledger, after)

    for name in ("first_page", "page", "rows", "detail"):
        monkeypatch.setattr(queue, name, counted(name, getattr(queue, name)))
    original_changes = queue.changes
    monkeypatch.setattr(queue, "changes", changes)
    async with demo.app(watch_seconds=0.1).run_test(size=SIZE) as pilot:
        await settle(pilot)
        reads.clear()
        assert await _until(pilot, lambda: len(asked) >= 5)
        assert reads == []
        assert len(set(asked)) == 1  # the same marker each time: nothing new


async def test_f_on_a_refused_private_address_says_why(demo: Demo, site: Site) -> None:
    # The bad notice said only "failed (blocked: 1)", as if the source had refused us.
    url = site.html("/on-my-laptop", "a page on 127.0.0.1")
    with demo.ledger.write() as session:
        cite(session, REVIEWER, demo.talks_id, url, Stance.SUPPORTS)
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "f")
        assert await _until(pilot, lambda: any("captured" in n for n in notifications(pilot)), 20)
        [notice] = [n for n in notifications(pilot) if "captured" in n]
        assert "refused: private address: 1" in notice  # the loopback page (example.org fails to resolve)
        assert "allow_private_networks = true" in notice
    assert site.hits["/on-my-laptop"] == 0
