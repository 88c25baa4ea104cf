"""Someone else got there first, the database went away, a fetch failed: told, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from textual.widgets import Input

from factledger.ledger.claims import assign_claim, change_status
from factledger.ledger.database import Ledger
from factledger.ledger.models import Evidence, Snapshot, Source
from factledger.ledger.statuses import ClaimStatus
from factledger.tui.screens.prompts import TextPrompt
from tests.site_server import Site, serve_site
from tests.tui.conftest import REVIEWER, Demo
from tests.tui.helpers import SIZE, current_row, main_screen, notifications, screen_text, settle, type_text

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as running:
        yield running


async def test_conflict_names_who_changed_what_and_keeps_the_rationale(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        # A colleague in another session sets a verdict on the claim the reviewer is looking at.
        other = Ledger(demo.ledger.url)
        with other.write() as session:
            change_status(
                session, "alice", demo.power_id, ClaimStatus.REFUTED, rationale="the figure is wrong"
            )
        other.close()
        await pilot.press("s")
        await type_text(pilot, "release confirms the figure")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(0.5)
        await settle(pilot)
        notice = next(n for n in notifications(pilot) if "changed" in n)
        assert "alice" in notice
        assert "claim.status_changed" in notice
        assert "unreviewed → refuted" in notice  # what they changed
        # The prompt is back with what was typed, and the screen shows the claim as it is now.
        assert isinstance(pilot.app.screen, TextPrompt)
        assert pilot.app.screen.query_one(Input).value == "release confirms the figure"
        assert current_row(pilot).status == "refuted"
        detail = main_screen(pilot).detail_pane.detail
        assert detail is not None
        assert detail.version == 2
        # refuted → supported is not allowed; the reviewer reopens instead, keeping the text.
        await pilot.press("escape", "i")
        await type_text(pilot, "reopening")
        await pilot.press("enter")
        await settle(pilot)
    claim = demo.claim(demo.power_id)
    assert (claim.status, claim.version, claim.rationale) == ("in_review", 3, "reopening")
    assert demo.events(demo.power_id)[-1].actor == REVIEWER


async def test_conflict_on_assign_keeps_the_typed_name(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        other = Ledger(demo.ledger.url)
        with other.write() as session:
            assign_claim(session, "tomas", demo.power_id, "tomas")
        other.close()
        await pilot.press("A")
        await type_text(pilot, "ade")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(0.5)
        assert any("tomas" in n for n in notifications(pilot))
        assert isinstance(pilot.app.screen, TextPrompt)
        assert pilot.app.screen.query_one(Input).value == "ade"
        await pilot.press("enter")  # now against the version on screen
        await settle(pilot)
    assert demo.claim(demo.power_id).assignee == "ade"


async def test_a_lost_database_is_a_notification(demo: Demo) -> None:
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        from sqlalchemy import create_engine

        demo.ledger.engine.dispose()
        demo.ledger.engine = create_engine("sqlite:////nonexistent-dir/gone.sqlite3")
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("s", "enter")
        await settle(pilot)
        errors = notifications(pilot)
        assert any("unable to open database file" in n for n in errors)
        assert pilot.app.is_running
        assert "claims" in screen_text(pilot)


async def test_fetch_now_captures_and_updates_the_row(demo: Demo, site: Site) -> None:
    url = site.html(
        "/statement", "Officials said talks would resume in the spring, a spokesperson confirmed."
    )
    async with demo.app(allow_private_networks=True, auto_fetch=True).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "c")
        screen = pilot.app.screen
        screen.query_one("#cite-url", Input).value = url
        screen.query_one("#cite-quote", Input).value = "talks would resume in the spring"
        await pilot.press("enter")
        for _ in range(20):  # the capture lands in the background
            await settle(pilot)
            if any("sources captured" in n for n in notifications(pilot)):
                break
        assert any("1 of 1 sources captured" in n for n in notifications(pilot))
        await settle(pilot)
        detail = main_screen(pilot).detail_pane.detail
        assert detail is not None
        fetched = next(e for e in detail.evidence if e.url.endswith("/statement"))
        assert fetched.health == "ok"
        assert fetched.quote_status == "found"  # verified as the capture landed
        await pilot.press("f")  # re-fetch both sources now; the gone one fails, which is data
        for _ in range(20):
            await settle(pilot)
            if len([n for n in notifications(pilot) if "captured" in n]) >= 2:
                break
        assert site.hits["/statement"] == 2
    with demo.ledger.read() as session:
        source_id = session.scalars(select(Source.id).where(Source.url == url)).one()
        assert len(session.scalars(select(Snapshot).where(Snapshot.source_id == source_id)).all()) == 2
        assert (
            session.scalars(select(Evidence.quote_status).where(Evidence.source_id == source_id)).one()
            == "found"
        )


async def test_a_failed_fetch_is_a_warning(demo: Demo, site: Site) -> None:
    url = site.html("/missing", "gone", status=404)
    async with demo.app(allow_private_networks=True, auto_fetch=True).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "c")
        pilot.app.screen.query_one("#cite-url", Input).value = url
        await pilot.press("enter")
        for _ in range(20):
            await settle(pilot)
            if any("captured" in n for n in notifications(pilot)):
                break
        assert any("0 of 1 sources captured; failed" in n for n in notifications(pilot))
        assert pilot.app.is_running


async def test_fetch_refuses_private_addresses_unless_allowed(demo: Demo, site: Site) -> None:
    url = site.html("/internal", "intranet page")
    async with demo.app(auto_fetch=True).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "c")
        pilot.app.screen.query_one("#cite-url", Input).value = url
        await pilot.press("enter")
        for _ in range(20):
            await settle(pilot)
            if any("captured" in n for n in notifications(pilot)):
                break
        assert any("0 of 1 sources captured" in n for n in notifications(pilot))
        # Says why: our own refusal, and how to allow it (it read "failed (blocked: 1)").
        assert any(
            "refused: private address" in n and "allow_private_networks" in n for n in notifications(pilot)
        )
    assert site.hits["/internal"] == 0
