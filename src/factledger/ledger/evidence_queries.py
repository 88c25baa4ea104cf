"""Reading evidence: batches in (source, id) order for quote checks, and which sources and claims
evidence ties together."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from factledger.ledger.models import Evidence, Source


class EvidenceToCheck(NamedTuple):
    id: int
    claim_id: int
    source_id: int
    stance: str
    quote: str | None
    url: str


def evidence_batch(
    session: Session,
    after: tuple[int, int],
    limit: int,
    *,
    claim_id: int | None = None,
    source_ids: Collection[int] | None = None,
    quoted_only: bool = False,
) -> list[EvidenceToCheck]:
    """The next ``limit`` evidence rows after ``after`` = (source id, evidence id), in (source, id)
    order, so all quotes citing one source come together; only one claim's, or those citing
    ``source_ids``, or those with a quote, if asked."""
    query = (
        select(
            Evidence.id, Evidence.claim_id, Evidence.source_id, Evidence.stance, Evidence.quote, Source.url
        )
        .join(Source, Source.id == Evidence.source_id)
        .where(tuple_(Evidence.source_id, Evidence.id) > tuple_(*after))
        .order_by(Evidence.source_id, Evidence.id)
        .limit(limit)
    )
    if claim_id is not None:
        query = query.where(Evidence.claim_id == claim_id)
    if source_ids is not None:
        query = query.where(Evidence.source_id.in_(sorted(source_ids)))
    if quoted_only:
        query = query.where(Evidence.quote.is_not(None))
    return [EvidenceToCheck(*row) for row in session.execute(query)]


def stances_of_claims(session: Session, claim_ids: Iterable[int]) -> list[tuple[int, str, str]]:
    """(claim id, stance, quote status) of every evidence item of these claims."""
    rows = session.execute(
        select(Evidence.claim_id, Evidence.stance, Evidence.quote_status).where(
            Evidence.claim_id.in_(list(claim_ids))
        )
    )
    return [(claim_id, stance, status) for claim_id, stance, status in rows]


def quoted_source_ids(session: Session, source_ids: Sequence[int]) -> set[int]:
    """Which of these sources some evidence quotes."""
    return set(
        session.scalars(
            select(Evidence.source_id)
            .where(Evidence.source_id.in_(source_ids), Evidence.quote.is_not(None))
            .distinct()
        )
    )


def source_ids_of_claim(session: Session, claim_id: int) -> list[int]:
    """The sources a claim cites, in id order."""
    return list(
        session.scalars(
            select(Evidence.source_id)
            .where(Evidence.claim_id == claim_id)
            .distinct()
            .order_by(Evidence.source_id)
        )
    )
