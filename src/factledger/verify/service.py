"""Checking evidence quotes against the archive, and keeping each claim's suggested verdict current.

``verify_quotes`` is what ``factledger verify`` runs; verify/capture.py plugs the same check into every
archive run, so a quote is re-verified as soon as a new capture of its source lands.

A check is cheap only if its text is: the archiver normalizes each new text once and stores it
(verify/capture.py, verify/textcache.py), and a run walks the evidence grouped by source, so each
snapshot's normalized text is loaded once however many quotes cite it. Results are written a batch per transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from factledger.archive.capture_store import open_store
from factledger.archive.runner import ArchivePaths
from factledger.ledger.clock import utcnow
from factledger.ledger.database import Ledger
from factledger.ledger.evidence_queries import evidence_batch, stances_of_claims
from factledger.ledger.quotes import QuoteCheck, record_quote_checks, set_suggestions
from factledger.ledger.snapshot_queries import TextSnapshot, latest_text_snapshots, textless_captures
from factledger.ledger.statuses import ClaimStatus, QuoteStatus
from factledger.verify.locate import locate_quote
from factledger.verify.suggest import EvidenceView, suggest_verdict
from factledger.verify.textcache import NormalizedTextCache

BATCH = 500
CACHED_TEXTS = 64


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
            # The names evidence has in `claims show --json`: one key per concept in every output.
            "quote_snapshot_id": self.snapshot_id,
            "quote_detail": self.detail,
            "lost": self.lost,
        }


def _check(
    quote: str | None,
    snapshot: TextSnapshot | None,
    texts: NormalizedTextCache,
    evidence_id: int,
    textless: tuple[int, str] | None = None,
) -> QuoteCheck:
    now = utcnow()
    if quote is None:
        return QuoteCheck(evidence_id, QuoteStatus.UNCHECKED, now)
    if snapshot is None and textless is not None:
        # Captured, but its text could not be extracted: say so and why, rather than leave it unchecked.
        snapshot_id, reason = textless
        return QuoteCheck(evidence_id, QuoteStatus.NO_TEXT, now, snapshot_id=snapshot_id, detail=[reason])
    if snapshot is None:
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
    """Recompute the suggested verdict of each claim, ``BATCH`` claims per transaction."""
    ordered = sorted(set(claim_ids))
    for offset in range(0, len(ordered), BATCH):
        with ledger.write() as session:
            _refresh_suggestions_in(session, actor, ordered[offset : offset + BATCH])


def _refresh_suggestions_in(session: Session, actor: str, claim_ids: Sequence[int]) -> None:
    views: dict[int, list[EvidenceView]] = {claim: [] for claim in claim_ids}
    for claim, stance, status in stances_of_claims(session, claim_ids):
        views[claim].append(EvidenceView(stance, status))
    suggestions: dict[int, tuple[ClaimStatus | None, str]] = {}
    for claim, evidence in views.items():
        suggestion = suggest_verdict(evidence)
        suggestions[claim] = (suggestion.verdict, suggestion.reason)
    set_suggestions(session, actor, suggestions)


def verify_quotes(
    ledger: Ledger,
    actor: str,
    paths: ArchivePaths,
    *,
    claim_id: int | None = None,
    source_ids: Collection[int] | None = None,
    quoted_only: bool = False,
    on_progress: Callable[[int], None] | None = None,
    texts: NormalizedTextCache | None = None,
) -> list[EvidenceResult]:
    """(Re)check the quotes of every evidence item (or one claim's, or those citing ``source_ids``), in
    evidence order.

    ``quoted_only`` leaves out evidence without a quote, whose status no new capture can change (the
    archiver's hook uses it). ``texts`` lets a caller share normalized texts it already holds; by
    default each run keeps its own ``CACHED_TEXTS`` most recent ones.
    """
    cache = texts if texts is not None else NormalizedTextCache(open_store(paths).texts, CACHED_TEXTS)
    results: list[EvidenceResult] = []
    after = (0, 0)
    while True:
        with ledger.read() as session:
            batch = evidence_batch(
                session, after, BATCH, claim_id=claim_id, source_ids=source_ids, quoted_only=quoted_only
            )
            snapshots = latest_text_snapshots(session, (row.source_id for row in batch)) if batch else {}
            without_text = {row.source_id for row in batch if row.source_id not in snapshots}
            textless = textless_captures(session, without_text) if without_text else {}
        if not batch:
            break
        checks = [
            _check(row.quote, snapshots.get(row.source_id), cache, row.id, textless.get(row.source_id))
            for row in batch
        ]
        # A run that is one short batch (the archiver's hook after each commit group, one claim's
        # quotes) records its checks and the suggestions they lead to in one transaction: every check
        # the run makes is in the batch, so no suggestion is an interim one (see below), and a second
        # transaction, with its own lock of the audit log, is saved.
        whole_run = not results and len(batch) < BATCH
        with ledger.write() as session:
            outcomes = record_quote_checks(session, actor, checks)
            if whole_run:
                _refresh_suggestions_in(session, actor, sorted({row.claim_id for row in batch}))
        for row, check, outcome in zip(batch, checks, outcomes, strict=True):
            results.append(
                EvidenceResult(
                    row.id,
                    row.claim_id,
                    row.url,
                    row.stance,
                    row.quote,
                    check.status.value,
                    check.score,
                    check.snapshot_id,
                    list(check.detail or []),
                    outcome.lost,
                )
            )
        if on_progress is not None:
            on_progress(len(results))
        if whole_run:  # its suggestions are recorded with its checks
            results.sort(key=lambda result: result.evidence_id)
            return results
        if len(batch) < BATCH:
            break  # a short batch was the last: asking again would only read an empty one
        after = (batch[-1].source_id, batch[-1].id)
    # Suggestions once every quote is checked: a claim citing several sources would otherwise get an
    # interim suggestion (and an Event) from the sources checked so far.
    refresh_suggestions(ledger, actor, (r.claim_id for r in results))
    results.sort(key=lambda result: result.evidence_id)
    return results
