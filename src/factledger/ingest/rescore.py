"""Re-score existing claims with the current check-worthiness model (``factledger rescore``).

Claims are read in id order, a batch at a time; each batch is scored in one call and written in its own
transaction, so a long rescore holds no lock for long and an interrupted one keeps the batches it
finished (running it again skips nothing: claims already up to date are simply unchanged). Every claim
whose score, reasons or model changes gets a ``claim.rescored`` event in the audit log, with the old and
new score and model. A rescore changes what the machine said, not what a reviewer did, so the claim's
version and ``updated_at`` stay as they are (as for evidence-based suggestions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factledger.ingest.scoring import score_sentences
from factledger.ingest.worthiness.model import load_model
from factledger.ledger.audit import NewEvent, append_events
from factledger.ledger.database import Ledger
from factledger.ledger.models import Claim

BATCH_SIZE = 500


@dataclass(slots=True)
class RescoreReport:
    model: str
    claims: int = 0
    changed: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"model": self.model, "claims": self.claims, "changed": self.changed}


def rescore_claims(
    ledger: Ledger,
    actor: str,
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int, int], None] | None = None,
) -> RescoreReport:
    """Score every claim again; ``on_progress(done, total)`` is called after each batch."""
    report = RescoreReport(model=load_model().model_id)  # a broken model fails before any write
    with ledger.read() as session:
        total = session.scalar(select(func.count()).select_from(Claim)) or 0
    last_id = 0
    while True:
        with ledger.write() as session:
            claims = list(
                session.scalars(select(Claim).where(Claim.id > last_id).order_by(Claim.id).limit(batch_size))
            )
            if not claims:
                break
            report.changed += _rescore_batch(session, actor, claims)
        report.claims += len(claims)
        last_id = claims[-1].id
        if on_progress is not None:
            on_progress(report.claims, max(total, report.claims))
    return report


def _rescore_batch(session: Session, actor: str, claims: list[Claim]) -> int:
    events: list[NewEvent] = []
    for claim, score in zip(claims, score_sentences([claim.text for claim in claims]), strict=True):
        reasons = list(score.reasons) or None
        if (claim.score, claim.score_reasons, claim.score_model) == (score.value, reasons, score.model):
            continue
        before = {"score": claim.score, "score_model": claim.score_model}
        claim.score, claim.score_reasons, claim.score_model = score.value, reasons, score.model
        events.append(
            NewEvent("claim.rescored", claim.id, before, {"score": score.value, "score_model": score.model})
        )
    session.flush()
    append_events(session, actor, events)
    return len(events)
