"""Checking evidence quotes against the archive, and keeping each claim's suggested verdict current.

``verify_quotes`` is what ``factledger verify`` runs; ``after_capture_hook`` plugs the same check into
every archive run, so a quote is re-verified as soon as a new capture of its source lands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select

from factledger.archive.runner import AfterCapture, ArchivePaths
from factledger.archive.textstore import TextStore
from factledger.ledger.database import Ledger
from factledger.ledger.models import Evidence, Snapshot, Source, utcnow
from factledger.ledger.quotes import QuoteCheck, record_quote_check, set_suggestion
from factledger.ledger.snapshots import RecordedCapture
from factledger.ledger.statuses import QuoteStatus
from factledger.verify.locate import locate_quote
from factledger.verify.suggest import EvidenceView, suggest_verdict

BATCH = 500


@dataclass(frozen=True)
class EvidenceResult:
    evidence_id: int
    claim_id: int
    url: str
    stance: str
    quote: str | None
    quote_status: str
    score: float | None
    snapshot_id: int | None
    detail: list[str]
    lost: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "evidence_id": self.evidence_id,
            "claim_id": self.claim_id,
            "url": self.url,
            "stance": self.stance,
            "quote": self.quote,
            "quote_status": self.quote_status,
            "score": self.score,
            "snapshot_id": self.snapshot_id,
            "detail": self.detail,
            "lost": self.lost,
        }


def _latest_text_snapshot(ledger: Ledger, source_id: int) -> Snapshot | None:
    """The newest successful capture with text: even when the source is gone now, our archive still
    holds it. An error page (a 404 or 410 body) is not what the source said, so it never counts."""
    with ledger.read() as session:
        return session.scalars(
            select(Snapshot)
            .where(
                Snapshot.source_id == source_id,
                Snapshot.full_text_ref.is_not(None),
                Snapshot.http_status >= 200,
                Snapshot.http_status < 300,
            )
            .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
            .limit(1)
        ).first()


def _check(quote: str | None, snapshot: Snapshot | None, texts: TextStore, evidence_id: int) -> QuoteCheck:
    now = utcnow()
    if quote is None:
        return QuoteCheck(evidence_id, QuoteStatus.UNCHECKED, now)
    if snapshot is None or snapshot.full_text_ref is None:
        return QuoteCheck(evidence_id, QuoteStatus.NO_SNAPSHOT, now)
    match = locate_quote(quote, texts.get(snapshot.full_text_ref))
    return QuoteCheck(
        evidence_id,
        QuoteStatus(match.status),
        now,
        score=round(match.score, 4),
        snapshot_id=snapshot.id,
        start=match.start,
        end=match.end,
        detail=list(match.differences) or None,
    )


def refresh_suggestions(ledger: Ledger, actor: str, claim_ids: Iterable[int]) -> None:
    for claim_id in sorted(set(claim_ids)):
        with ledger.write() as session:
            rows = session.execute(
                select(Evidence.stance, Evidence.quote_status).where(Evidence.claim_id == claim_id)
            ).all()
            suggestion = suggest_verdict([EvidenceView(stance, status) for stance, status in rows])
            set_suggestion(session, actor, claim_id, suggestion.verdict, suggestion.reason)


def verify_quotes(
    ledger: Ledger,
    actor: str,
    paths: ArchivePaths,
    *,
    claim_id: int | None = None,
    source_id: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[EvidenceResult]:
    """(Re)check the quotes of every evidence item (or one claim's, or one source's)."""
    texts = TextStore(paths.texts)
    results: list[EvidenceResult] = []
    snapshots: dict[int, Snapshot | None] = {}
    last_id = 0
    while True:
        with ledger.read() as session:
            query = (
                select(
                    Evidence.id,
                    Evidence.claim_id,
                    Evidence.source_id,
                    Evidence.stance,
                    Evidence.quote,
                    Source.url,
                )
                .join(Source, Source.id == Evidence.source_id)
                .where(Evidence.id > last_id)
                .order_by(Evidence.id)
                .limit(BATCH)
            )
            if claim_id is not None:
                query = query.where(Evidence.claim_id == claim_id)
            if source_id is not None:
                query = query.where(Evidence.source_id == source_id)
            batch = session.execute(query).all()
        if not batch:
            break
        for evidence_id, owner_claim, owner_source, stance, quote, url in batch:
            if owner_source not in snapshots:
                snapshots[owner_source] = _latest_text_snapshot(ledger, owner_source)
            check = _check(quote, snapshots[owner_source], texts, evidence_id)
            with ledger.write() as session:
                outcome = record_quote_check(session, actor, check)
            results.append(
                EvidenceResult(
                    evidence_id,
                    owner_claim,
                    url,
                    stance,
                    quote,
                    check.status.value,
                    check.score,
                    check.snapshot_id,
                    list(check.detail or []),
                    outcome.lost,
                )
            )
            if on_progress is not None:
                on_progress(len(results))
        last_id = batch[-1][0]
    refresh_suggestions(ledger, actor, (r.claim_id for r in results))
    return results


def after_capture_hook(ledger: Ledger, actor: str, paths: ArchivePaths) -> AfterCapture:
    """Re-verify the quotes that cite a source whenever a capture with text lands."""

    def hook(source_id: int, recorded: RecordedCapture) -> None:
        status = recorded.snapshot.http_status
        if recorded.snapshot.full_text_ref is None or status is None or not 200 <= status < 300:
            return  # a failed, error-page or text-less capture changes nothing the quotes are checked against
        verify_quotes(ledger, actor, paths, source_id=source_id)

    return hook
