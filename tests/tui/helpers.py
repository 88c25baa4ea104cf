"""Driving the review app in tests: wait for its workers, read what is on screen."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.worker import WorkerCancelled

from factledger.ledger.review_queries import ClaimDetail, ClaimRow
from factledger.tui.screens.main import MainScreen
from factledger.tui.widgets.claim_table import ClaimTable

SIZE = (120, 40)


async def settle(pilot: Pilot[None], rounds: int = 6) -> None:
    """Let workers finish, including the ones their results start (a write, then the re-read).

    A worker cancelled because a newer one of its exclusive group replaced it (a detail read for a
    claim the cursor has left, a re-read after another reviewer's change) is superseded, not failed."""
    for _ in range(rounds):
        with suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def screen_text(pilot: Pilot[None]) -> str:
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def main_screen(pilot: Pilot[None]) -> MainScreen:
    return next(s for s in pilot.app.screen_stack if isinstance(s, MainScreen))


def table(pilot: Pilot[None]) -> ClaimTable:
    return main_screen(pilot).table


def current_row(pilot: Pilot[None]) -> ClaimRow:
    """The claim under the table's cursor; the test fails if the table is empty."""
    row = table(pilot).current
    assert row is not None
    return row


def shown_detail(pilot: Pilot[None]) -> ClaimDetail:
    """The claim the detail pane shows; the test fails if it shows none."""
    detail = main_screen(pilot).detail_pane.detail
    assert detail is not None
    return detail


def active_screen(pilot: Pilot[None]) -> Screen[Any]:
    """The screen on top now (a call, so a type narrowed by an earlier isinstance does not stick)."""
    return pilot.app.screen


def notifications(pilot: Pilot[None]) -> list[str]:
    """Every notification the app posted in this test, shown or already timed out (see conftest)."""
    notices: list[str] = pilot.app.__dict__.get("notices", [])
    return list(notices)


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type literally (Pilot.press takes key names, so characters like '[' are sent one by one)."""
    for char in text:
        await pilot.press(char)
