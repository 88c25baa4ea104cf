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

from factledger.ingest.scoring import score_sentences
from factledger.ingest.worthiness.model import load_model
from factledger.ledger.database import Ledger
from factledger.ledger.scores import NewScore, claim_count, replace_scores, scores_after

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
        total = claim_count(session)
    last_id = 0
    while True:
        with ledger.write() as session:
            stored = scores_after(session, last_id, batch_size)
            if not stored:
                break
            scores = score_sentences([claim.text for claim in stored])
            new = [NewScore(score.value, list(score.reasons) or None, score.model) for score in scores]
            report.changed += replace_scores(session, actor, stored, new)
        report.claims += len(stored)
        last_id = stored[-1].claim_id
        if on_progress is not None:
            on_progress(report.claims, max(total, report.claims))
    return report
