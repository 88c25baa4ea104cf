"""Check-worthiness scores of stored claims: read them a batch at a time, replace them with audit events.

A score is what the machine said, not what a reviewer did, so replacing it bumps neither the claim's
version nor ``updated_at`` (as for verdict suggestions); each change is a ``claim.rescored`` event with
the old and new score and model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_events
from factledger.ledger.models import Claim


@dataclass(frozen=True, slots=True)
class StoredScore:
    claim_id: int
    text: str
    score: float | None
    reasons: list[str] | None
    model: str | None


@dataclass(frozen=True, slots=True)
class NewScore:
    value: float
    reasons: list[str] | None
    model: str


def claim_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Claim)) or 0


def scores_after(session: Session, after_id: int, limit: int) -> list[StoredScore]:
    """The next ``limit`` claims in id order after ``after_id``, with their text and current score."""
    rows = session.execute(
        select(Claim.id, Claim.text, Claim.score, Claim.score_reasons, Claim.score_model)
        .where(Claim.id > after_id)
        .order_by(Claim.id)
        .limit(limit)
    )
    return [StoredScore(*row) for row in rows]


def replace_scores(
    session: Session, actor: str, stored: Sequence[StoredScore], new: Sequence[NewScore]
) -> int:
    """Write each new score that differs from the stored one, with its event; returns how many changed."""
    changed = [
        (old, score)
        for old, score in zip(stored, new, strict=True)
        if (old.score, old.reasons, old.model) != (score.value, score.reasons, score.model)
    ]
    if not changed:
        return 0
    # ORM bulk UPDATE by primary key: one executemany for the batch.
    session.execute(
        update(Claim),
        [
            {
                "id": old.claim_id,
                "score": score.value,
                "score_reasons": score.reasons,
                "score_model": score.model,
            }
            for old, score in changed
        ],
    )
    append_events(
        session,
        actor,
        [
            NewEvent(
                "claim.rescored",
                old.claim_id,
                {"score": old.score, "score_model": old.model},
                {"score": score.value, "score_model": score.model},
            )
            for old, score in changed
        ],
    )
    return len(changed)
