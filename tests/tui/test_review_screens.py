"""What the screens show: snapshots at 80×24, 120×40 and 160×45 with fixed data, and untrusted text shown
literally."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot

from factledger.archive.runner import ArchivePaths
from factledger.archive.textstore import TextStore
from factledger.ledger.claims import assign_claim
from factledger.ledger.models import Claim, Event, Source
from factledger.ledger.snapshots import CaptureRecord, record_captures
from factledger.ledger.sources import cite
from factledger.ledger.statuses import SourceHealth, Stance
from tests.tui.conftest import FIXED, INJECTIONS, RELEASE_TEXT, Demo, build_demo
from tests.tui.helpers import SIZE, main_screen, screen_text, settle, type_text

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


def add_second_capture(demo: Demo) -> None:
    """A later capture of the release in which the quoted sentence was reworded."""
    changed = RELEASE_TEXT.replace("announced $11.5 million", "pledged $11.5 million")
    ref = demo.texts.put(changed)
    with demo.ledger.write() as session:
        source_id = session.scalars(select(Source.id).where(Source.url.like("%usaid%"))).one()
        record_captures(
            session,
            "archiver",
            [
                CaptureRecord(
                    source_id=source_id,
                    fetched_at=FIXED + timedelta(days=30),
                    health=SourceHealth.OK,
                    health_reason=None,
                    next_check_at=FIXED + timedelta(days=60),
                    http_status=200,
                    payload_sha256="1" * 64,
                    full_text_ref=ref,
                )
            ],
        )[0]
        session.execute(update(Event).values(at=FIXED))
        session.execute(update(Claim).values(updated_at=FIXED))


@pytest.fixture
def snap_demo(tmp_path: Path) -> Any:
    demo = build_demo(
        tmp_path / "home", extra_claims=[f"Background claim {n} about the talks." for n in range(8)]
    )
    with demo.ledger.write() as session:
        assign_claim(session, "mariam", demo.talks_id, "ade")
        session.execute(update(Event).values(at=FIXED))
        session.execute(update(Claim).values(updated_at=FIXED))
    yield demo
    demo.ledger.close()


async def _settled(pilot: Pilot[None]) -> None:
    await settle(pilot)


def test_snapshot_main_screen(snap_compare: Any, snap_demo: Demo) -> None:
    assert snap_compare(snap_demo.app(), terminal_size=SIZE, run_before=_settled)


def test_snapshot_detail_of_second_claim(snap_compare: Any, snap_demo: Demo) -> None:
    async def second_row(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)

    assert snap_compare(snap_demo.app(), terminal_size=SIZE, run_before=second_row)


def test_snapshot_reader(snap_compare: Any, snap_demo: Demo) -> None:
    async def open_reader(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)

    assert snap_compare(snap_demo.app(), terminal_size=SIZE, run_before=open_reader)


def test_snapshot_help(snap_compare: Any, snap_demo: Demo) -> None:
    async def open_help(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(snap_demo.app(), terminal_size=SIZE, run_before=open_help)


# A laptop's default terminal and a large one: the claim column stays at 80×24, and a wide screen
# shows every column with room for the claim.
SMALL, LARGE = (80, 24), (160, 45)


def test_snapshot_main_screen_80x24(snap_compare: Any, snap_demo: Demo) -> None:
    assert snap_compare(snap_demo.app(), terminal_size=SMALL, run_before=_settled)


def test_snapshot_help_80x24(snap_compare: Any, snap_demo: Demo) -> None:
    async def open_help(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(snap_demo.app(), terminal_size=SMALL, run_before=open_help)


def test_snapshot_search_prompt_80x24(snap_compare: Any, snap_demo: Demo) -> None:
    async def open_search(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "talks")
        await settle(pilot)

    assert snap_compare(snap_demo.app(), terminal_size=SMALL, run_before=open_search)


def test_snapshot_main_screen_160x45(snap_compare: Any, snap_demo: Demo) -> None:
    assert snap_compare(snap_demo.app(), terminal_size=LARGE, run_before=_settled)


def test_snapshot_detail_of_second_claim_160x45(snap_compare: Any, snap_demo: Demo) -> None:
    async def second_row(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)

    assert snap_compare(snap_demo.app(), terminal_size=LARGE, run_before=second_row)


async def test_untrusted_text_is_shown_literally_and_never_acted_on(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "home", extra_claims=INJECTIONS)
    page = "Intro. " + " ".join(INJECTIONS) + " \x1b[2J end."
    ref = TextStore(ArchivePaths.under(demo.home).texts).put(page)
    with demo.ledger.write() as session:
        first = demo.plain_ids[0]
        evidence = cite(
            session,
            "[bold]bob[/]",
            first,
            "https://example.org/a?q=[bold]x[/]",
            Stance.CONTEXT,
            quote=INJECTIONS[1],
            note=INJECTIONS[2],
        )
        session.execute(update(Source).where(Source.id == evidence.source_id).values(title=INJECTIONS[3]))
        record_captures(
            session,
            "archiver",
            [
                CaptureRecord(
                    source_id=evidence.source_id,
                    fetched_at=FIXED,
                    health=SourceHealth.OK,
                    health_reason=None,
                    next_check_at=FIXED,
                    http_status=200,
                    payload_sha256="2" * 64,
                    full_text_ref=ref,
                )
            ],
        )[0]
    try:
        async with demo.app().run_test(size=SIZE) as pilot:
            await settle(pilot)
            text = screen_text(pilot)
            for injection in INJECTIONS:
                assert injection in text  # every claim row shows its text literally
            while (row := main_screen(pilot).table.current) is not None and row.id != first:
                await pilot.press("j")
                await settle(pilot)
            detail = screen_text(pilot)
            assert "[bold]x[/]" in detail
            assert "“[@click=app.quit]x[/]”" in detail  # the quote
            assert "[link=file:///etc/passwd]x[/link]" in detail  # the note
            assert "unterminated [" in detail  # the source title
            await pilot.press("n")
            await type_text(pilot, "[@click=app.quit]note[/]")
            await pilot.press("enter")
            await settle(pilot)
            for index in range(4):  # click every line of the detail pane: no link may act
                await pilot.click("#detail", offset=(10, index))
            await pilot.press("o")
            await settle(pilot)
            reader = screen_text(pilot)
            assert "[@click=app.quit]x[/]" in reader
            assert "\x1b" not in reader
            assert pilot.app.is_running
        assert demo.events(first)[-1].rationale == "[@click=app.quit]note[/]"
    finally:
        demo.ledger.close()
