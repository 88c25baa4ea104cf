"""A small real ledger for the review app, built through the ledger's use-cases, with fixed times."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from factledger.archive.capture_store import ArchivePaths, open_store
from factledger.archive.textstore import TextStore
from factledger.ledger.claims import ClaimDraft, add_claim
from factledger.ledger.database import Ledger, open_ledger
from factledger.ledger.documents import add_document
from factledger.ledger.models import Claim, Event, Evidence, Source
from factledger.ledger.quotes import QuoteCheck, record_quote_checks, set_suggestions
from factledger.ledger.snapshots import CaptureRecord, record_captures
from factledger.ledger.sources import cite
from factledger.ledger.statuses import ClaimStatus, QuoteStatus, SourceHealth, Stance
from factledger.tui.app import ReviewApp, ReviewConfig

FIXED = datetime(2024, 1, 14, 9, 30, tzinfo=UTC)
REVIEWER = "mariam"
INJECTIONS = ["[bold]x[/]", "[@click=app.quit]x[/]", "[link=file:///etc/passwd]x[/link]", "unterminated ["]

ARTICLE = (
    "Yerevan, 14 January 2024. The humanitarian crisis deepened after September 19. "
    "During her visit Power announced $11.5 million in humanitarian assistance. "
    "Officials said talks would resume in the spring, although no date was set. "
    "One can conclude that the region remains tense."
)
CLAIM_TEXT = "During her visit Power announced $11.5 million in humanitarian assistance."
RELEASE_TEXT = (
    "Press release, 25 September 2023.\n\n"
    "Today Administrator Power announced $11.5 million in humanitarian assistance for the people "
    "affected by the crisis.\n\nThe assistance includes food, shelter and medical care.\n"
)
QUOTE = "announced $11.5 million in humanitarian assistance"


@dataclass
class Demo:
    ledger: Ledger
    home: Path
    power_id: int  # the claim with a document, evidence, a capture and a suggestion
    talks_id: int
    plain_ids: list[int]
    store: str | None = None  # the capture store's URL (None: the home's directories)

    @property
    def texts(self) -> TextStore:
        return open_store(ArchivePaths.under(self.home, self.store)).texts

    def config(self, **overrides: object) -> ReviewConfig:
        values: dict[str, object] = {
            "reviewer": REVIEWER,
            "home": self.home,
            "store": self.store,
            "auto_fetch": False,
        }
        return ReviewConfig(**(values | overrides))  # type: ignore[arg-type]

    def app(self, **overrides: object) -> ReviewApp:
        return ReviewApp(self.ledger, self.config(**overrides))

    def claim(self, claim_id: int) -> Claim:
        with self.ledger.read() as session:
            claim = session.get(Claim, claim_id)
            assert claim is not None
            return claim

    def events(self, claim_id: int) -> list[Event]:
        from sqlalchemy import select

        with self.ledger.read() as session:
            return list(session.scalars(select(Event).where(Event.claim_id == claim_id).order_by(Event.id)))


def build_demo(home: Path, *, extra_claims: list[str] | None = None, store: str | None = None) -> Demo:
    ledger = open_ledger(f"sqlite:///{home / 'ledger.sqlite3'}")
    paths = ArchivePaths.under(home, store)
    with ledger.write() as session:
        document, _ = add_document(session, "ingest", ARTICLE, title="US mediation: Armenia and Azerbaijan")
        start = ARTICLE.index(CLAIM_TEXT)
        power = add_claim(
            session,
            "ingest",
            ClaimDraft(
                text=CLAIM_TEXT,
                speaker="Power",
                dates=["2023-09-25"],
                document_id=document.id,
                span_start=start,
                span_end=start + len(CLAIM_TEXT),
                score=0.9,
                score_reasons=["quantity", "named person"],
            ),
        )
        talks_text = "Officials said talks would resume in the spring."
        talks = add_claim(session, "ingest", ClaimDraft(text=talks_text, speaker="Officials", score=0.6))
        plain = [
            add_claim(session, "ingest", ClaimDraft(text=text, score=0.3 - i * 0.01)).id
            for i, text in enumerate(extra_claims or [])
        ]
        evidence = cite(
            session,
            "mariam",
            power.id,
            "https://www.usaid.gov/news/power-armenia",
            Stance.SUPPORTS,
            quote=QUOTE,
        )
        cite(session, "tomas", talks.id, "https://example.org/talks-gone", Stance.REFUTES)
        power_id, talks_id, source_id, evidence_id = power.id, talks.id, evidence.source_id, evidence.id
    full_ref = open_store(paths).texts.put(RELEASE_TEXT)
    with ledger.write() as session:
        capture = record_captures(
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
                    final_url="https://www.usaid.gov/news/power-armenia",
                    payload_sha256="0" * 64,
                    full_text_ref=full_ref,
                    title="Power announces assistance",
                )
            ],
        )[0]
        at = RELEASE_TEXT.index(QUOTE)
        record_quote_checks(
            session,
            "verifier",
            [
                QuoteCheck(
                    evidence_id, QuoteStatus.FOUND, FIXED, 1.0, capture.snapshot.id, at, at + len(QUOTE)
                )
            ],
        )[0]
        set_suggestions(
            session,
            "verifier",
            {power_id: (ClaimStatus.SUPPORTED, "1 supporting source with its quote found")},
        )
        session.execute(
            update(Source)
            .where(Source.url.like("%talks-gone"))
            .values(health="gone", health_reason="HTTP 404")
        )
    with ledger.write() as session:  # fixed times, so screens (and snapshots) do not change by the minute
        session.execute(update(Claim).values(created_at=FIXED, updated_at=FIXED))
        session.execute(update(Event).values(at=FIXED))
        session.execute(update(Evidence).values(added_at=FIXED))
    return Demo(ledger, home, power_id, talks_id, plain, store)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    built = build_demo(tmp_path / "home")
    yield built
    built.ledger.close()


@pytest.fixture
def anyio_backend() -> str:
    """The async tests here run on asyncio (Textual's loop) through anyio's pytest plugin."""
    return "asyncio"


@pytest.fixture(autouse=True)
def record_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every notification the app posts on ``app.notices``.

    A notification leaves the screen after its timeout (3 s for "claim N is now …"), and on a loaded
    machine a test can take longer than that to look; the record keeps what was said, so the assertion
    is about the app's behaviour, not about the test's speed. The app's own notify still runs.
    """
    original = ReviewApp.notify

    def notify(self: ReviewApp, message: str, **options: Any) -> None:
        self.__dict__.setdefault("notices", []).append(message)
        original(self, message, **options)

    monkeypatch.setattr(ReviewApp, "notify", notify)
