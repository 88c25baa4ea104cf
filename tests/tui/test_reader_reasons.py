"""The reader says why a quote is missing, in the words `verify` gave."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from factledger.ledger.models import Evidence, Source
from factledger.ledger.quotes import QuoteCheck, record_quote_checks
from factledger.ledger.statuses import QuoteStatus
from tests.tui.conftest import FIXED, Demo
from tests.tui.helpers import SIZE, screen_text, settle

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_reader_shows_why_the_quote_is_missing(demo: Demo) -> None:
    """The reader said only `(missing)`; `verify` had said the number differs."""
    reason = "number differs: quote has '12.5', source has '11.5'"
    with demo.ledger.write() as session:
        evidence_id = session.scalars(select(Evidence.id).where(Evidence.claim_id == demo.power_id)).one()
        record_quote_checks(
            session, "verifier", [QuoteCheck(evidence_id, QuoteStatus.MISSING, FIXED, 0.0, detail=[reason])]
        )
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert f"(missing: {reason})" in screen_text(pilot)


async def test_reader_shows_a_mementos_original_and_date(demo: Demo) -> None:
    """A source cited as a web.archive.org memento showed only the memento URL."""
    memento = "https://web.archive.org/web/20230925101500/https://www.usaid.gov/news/power-armenia"
    with demo.ledger.write() as session:
        session.execute(update(Source).where(Source.url.like("%usaid%")).values(url=memento))
    async with demo.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        text = screen_text(pilot)
        assert "Internet Archive copy of https://www.usaid.gov/news/power-armenia" in text
        assert "captured 2023-09-25 10:15 UTC" in text
