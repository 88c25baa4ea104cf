"""The reads behind the export formats (JSONL, ClaimReview, WACZ): plain column rows in batches, so
an export of the whole ledger keeps memory flat and builds no ORM object per row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from factledger.ledger.models import Claim, ClaimAppearance, Document, Event, Evidence, Snapshot, Source
from factledger.ledger.statuses import VERDICTS

# A row of plain columns, as many as the query selects.
AnyRow = Row[*tuple[Any, ...]]

_CLAIM_COLUMNS = (
    Claim.id,
    Claim.text,
    Claim.speaker,
    Claim.speaker_kind,
    Claim.dates,
    Claim.status,
    Claim.score,
    Claim.score_model,
    Claim.role,
    Claim.rationale,
    Claim.version,
    Claim.needs_review,
)


def claims_page(session: Session, after_id: int, limit: int, claim_id: int | None = None) -> Sequence[AnyRow]:
    """The exported columns of the next ``limit`` claims after ``after_id`` (only ``claim_id``, if given)."""
    query = select(*_CLAIM_COLUMNS).where(Claim.id > after_id).order_by(Claim.id).limit(limit)
    if claim_id is not None:
        query = query.where(Claim.id == claim_id)
    return session.execute(query).all()


def evidence_of_claim_range(session: Session, first_id: int, last_id: int) -> Iterator[AnyRow]:
    """(claim id, url, stance, quote, note, quote status, score) of the evidence of the claims with ids
    in ``first_id..last_id``, in evidence order: one range scan of the claim_id index instead of an
    IN list of every id in a batch."""
    yield from session.execute(
        select(
            Evidence.claim_id,
            Source.url,
            Evidence.stance,
            Evidence.quote,
            Evidence.note,
            Evidence.quote_status,
            Evidence.quote_score,
        )
        .join(Source, Source.id == Evidence.source_id)
        .where(Evidence.claim_id.between(first_id, last_id))
        .order_by(Evidence.id)
    )


def verdict_claims_page(session: Session, after_id: int, limit: int) -> list[Claim]:
    """The next ``limit`` claims with a verdict after ``after_id``, in id order."""
    verdicts = [verdict.value for verdict in VERDICTS]
    return list(
        session.scalars(
            select(Claim)
            .where(Claim.id > after_id, Claim.status.in_(verdicts))
            .order_by(Claim.id)
            .limit(limit)
        )
    )


def status_changes(session: Session, claim_ids: Iterable[int]) -> Iterator[tuple[int | None, datetime, Any]]:
    """(claim id, when, after) of every event of these claims, oldest first."""
    rows = session.execute(
        select(Event.claim_id, Event.at, Event.after)
        .where(Event.claim_id.in_(list(claim_ids)))
        .order_by(Event.id)
    )
    yield from rows


def appearance_urls(session: Session, claim_ids: Iterable[int]) -> Iterator[tuple[int, str]]:
    """(claim id, document url) of each recorded appearance of these claims, first appearance first."""
    rows = session.execute(
        select(ClaimAppearance.claim_id, Document.url)
        .join(Document, Document.id == ClaimAppearance.document_id)
        .where(ClaimAppearance.claim_id.in_(list(claim_ids)), Document.url.is_not(None))
        .order_by(ClaimAppearance.found_at, ClaimAppearance.id)
    )
    for claim_id, url in rows:
        if url is not None:
            yield claim_id, url


def publication_dates(session: Session, claim_ids: Iterable[int]) -> Iterator[tuple[int, date]]:
    """(claim id, published date) of every dated document these claims were found in: their recorded
    appearances and the document each claim was first taken from."""
    ids = list(claim_ids)
    by_appearance = (
        select(ClaimAppearance.claim_id, Document.published)
        .join(Document, Document.id == ClaimAppearance.document_id)
        .where(ClaimAppearance.claim_id.in_(ids), Document.published.is_not(None))
    )
    by_document = (
        select(Claim.id, Document.published)
        .join(Document, Document.id == Claim.document_id)
        .where(Claim.id.in_(ids), Document.published.is_not(None))
    )
    for claim_id, published in session.execute(by_appearance.union_all(by_document)):
        if published is not None:
            yield claim_id, published


def document_urls(session: Session, document_ids: Iterable[int]) -> Iterator[tuple[int, str | None]]:
    """(document id, url) of these documents."""
    yield from session.execute(select(Document.id, Document.url).where(Document.id.in_(list(document_ids))))


def cited_captures(session: Session, claim_id: int | None) -> Iterator[AnyRow]:
    """Every archived capture of every source the selected claims (one, or all) cite, oldest first."""
    cited = select(Evidence.source_id)
    if claim_id is not None:
        cited = cited.where(Evidence.claim_id == claim_id)
    query = (
        select(
            Snapshot.id,
            Snapshot.source_id,
            Snapshot.fetched_at,
            Snapshot.http_status,
            Snapshot.final_url,
            Snapshot.drift,
            Snapshot.is_revisit,
            Snapshot.payload_sha256,
            Snapshot.warc_filename,
            Snapshot.warc_offset,
            Snapshot.warc_length,
            Source.url,
            Source.title,
        )
        .join(Source, Source.id == Snapshot.source_id)
        .where(
            Snapshot.source_id.in_(cited.distinct()),
            Snapshot.warc_filename.is_not(None),
            Snapshot.warc_offset.is_not(None),
            Snapshot.warc_length.is_not(None),
        )
        .order_by(Snapshot.fetched_at, Snapshot.id)
    )
    yield from session.execute(query).yield_per(1000)
