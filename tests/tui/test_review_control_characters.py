"""Control characters from outside (issue 14, section 3) in the review app, through Textual's pilot.

Hostile input: ESC [2J (clear screen) and an OSC 8 hyperlink in a claim's text, its evidence note and
the captured page. On main the detail pane passed them to the terminal raw (Rich and Textual strip only
a few control characters); the claims table and the reader replaced them already.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from factledger.archive.runner import ArchivePaths
from factledger.archive.textstore import TextStore
from factledger.ledger.snapshots import CaptureRecord, record_captures
from factledger.ledger.sources import cite
from factledger.ledger.statuses import SourceHealth, Stance
from tests.tui.conftest import FIXED, build_demo
from tests.tui.helpers import SIZE, main_screen, screen_text, settle

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


def capture_text(session: Session, source_id: int, text_ref: str, payload_sha256: str) -> None:
    """A capture of the source whose text is the stored ``text_ref``."""
    record_captures(
        session,
        "archiver",
        [
            CaptureRecord(
                source_id=source_id,
                fetched_at=FIXED,
                health=SourceHealth.OK,
                health_reason=None,
                next_check_at=FIXED,
                http_status=200,
                payload_sha256=payload_sha256,
                full_text_ref=text_ref,
            )
        ],
    )


async def test_control_characters_are_shown_visibly_in_the_detail_pane_and_the_reader(tmp_path: Path) -> None:
    # Hostile input: ESC [2J (clear screen) and an OSC 8 hyperlink in a claim's text, its evidence
    # note and the captured page. On main the detail pane passed them to the terminal raw.
    clear = "\x1b[2J"
    link = "\x1b]8;;https://evil.example/\x1b\\here\x1b]8;;\x1b\\"
    demo = build_demo(tmp_path / "home", extra_claims=[f"Spending rose {clear}by 45 percent {link}."])
    ref = TextStore(ArchivePaths.under(demo.home).texts).put(
        f"Report. Spending rose {clear}by 45 percent {link}."
    )
    with demo.ledger.write() as session:
        first = demo.plain_ids[0]
        evidence = cite(
            session, "mariam", first, "https://example.org/report", Stance.CONTEXT, note=f"see {link}"
        )
        capture_text(session, evidence.source_id, ref, "3" * 64)
    try:
        async with demo.app().run_test(size=SIZE) as pilot:
            await settle(pilot)
            while (row := main_screen(pilot).table.current) is not None and row.id != first:
                await pilot.press("j")
                await settle(pilot)
            detail = screen_text(pilot)
            assert "\x1b" not in detail
            assert "␛[2J" in detail
            assert "␛]8;;https://evil.example/" in detail
            await pilot.press("o")
            await settle(pilot)
            reader = screen_text(pilot)
            assert "\x1b" not in reader
            assert "␛[2J" in reader
    finally:
        demo.ledger.close()


async def test_a_notice_quoting_outside_text_shows_its_control_characters_visibly(tmp_path: Path) -> None:
    # Hostile input: a notice (e.g. a fetch error quoting a server's reason phrase) holding ESC [2J and
    # an OSC 8 hyperlink. Before, ReviewApp.notify handed them to Textual, which wrote them raw.
    demo = build_demo(tmp_path / "home")
    try:
        async with demo.app().run_test(size=SIZE) as pilot:
            await settle(pilot)
            pilot.app.notify("server said \x1b[2J\x1b]8;;https://evil.example/\x1b\\", title="\x1b[31mFetch")
            await pilot.pause(0.3)
            # What Textual was given to show: its notifications (the toast layer is not among the
            # screen's strips in a headless run).
            shown = "\n".join(f"{n.title}: {n.message}" for n in pilot.app._notifications)
            assert "\x1b" not in shown
            assert "server said ␛[2J␛]8;;https://evil.example/" in shown
            assert "␛[31mFetch" in shown
    finally:
        demo.ledger.close()
