"""The review screen's reads: sorted keyset pages of claim rows with their evidence tallies, and
everything the detail pane shows about one claim. Migration 0005's indexes serve these sorts.

The claims table never holds the whole ledger. It asks for one page (``PAGE_SIZE`` rows) at a time:
- the next page after a row it already has, by keyset (``WHERE (key, id) > (:key, :id)``), which costs
  the same at row 100,000 as at row 10;
- the last page, by the reversed order (jump to end);
- any other page, by OFFSET (a scrollbar drag into the middle; rare, and still one index walk).
Sorts order by (key, id) so every row has one exact position; NULL scores sort as -1 (last).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from factledger.ledger.claims import (
    ClaimFilter,
    claim_history,
    claims_query,
    get_claim,
    version_change_for,
)
from factledger.ledger.models import Claim, Document, Event, Evidence, Source
from factledger.ledger.sources import evidence_for_claim
from factledger.ledger.statuses import HEALTH_SEVERITY, ClaimStatus

PAGE_SIZE = 100
CONTEXT_CHARS = 200
_HEALTH_RANK = {health.value: rank for health, rank in HEALTH_SEVERITY.items()}


class SortKey(StrEnum):
    SCORE = "check-worthiness"
    UPDATED = "updated"
    CREATED = "created"

    def next(self) -> SortKey:
        members = list(SortKey)
        return members[(members.index(self) + 1) % len(members)]


@dataclass(frozen=True)
class RowQuery:
    """What the table shows: the filters and the sort. Search and filters come from ClaimFilter."""

    status: ClaimStatus | None = None
    needs_review: bool | None = None
    assignee: str | None = None
    search: str | None = None
    sort: SortKey = SortKey.SCORE


@dataclass(frozen=True)
class ClaimRow:
    id: int
    text: str
    status: str
    suggested: str | None
    score: float | None
    supporting: int
    refuting: int
    worst_health: str | None
    needs_review: bool
    assignee: str | None
    updated_at: datetime
    version: int
    sort_value: Any

    @property
    def cursor(self) -> tuple[Any, int]:
        return (self.sort_value, self.id)


def _sort_column(sort: SortKey) -> ColumnElement[Any]:
    if sort is SortKey.SCORE:
        return func.coalesce(Claim.score, literal(-1.0))
    if sort is SortKey.UPDATED:
        return Claim.updated_at.expression
    # Ids are handed out at creation, so id order is creation order, and it walks the primary key.
    return Claim.id.expression


def _base(query: RowQuery, session: Session) -> Select[Any]:
    """The matching claims' ids and sort keys, unordered.

    Only these two columns go through the sort: carrying whole rows through SQLite's top-N sorter
    costs several times more when rows arrive in the worst order (newest-updated last)."""
    criteria = ClaimFilter(
        status=query.status,
        needs_review=query.needs_review,
        assignee=query.assignee,
        search=query.search or None,
        limit=None,
    )
    # Reuse the ledger's filter and full-text search, then replace its id order with the chosen sort.
    base = claims_query(criteria, session.get_bind().dialect.name).order_by(None)
    return base.with_only_columns(Claim.id, _sort_column(query.sort).label("sort_value"))


_ROW_COLUMNS = (
    Claim.id,
    Claim.text,
    Claim.status,
    Claim.suggested_status,
    Claim.score,
    Claim.needs_review,
    Claim.assignee,
    Claim.updated_at,
    Claim.version,
)


def count_rows(session: Session, query: RowQuery) -> int:
    inner = _base(query, session).with_only_columns(Claim.id).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def _page(session: Session, statement: Select[Any]) -> list[ClaimRow]:
    """Rows for a statement yielding (id, sort_value), in its order."""
    keys = session.execute(statement).all()
    if not keys:
        return []
    ids = [key.id for key in keys]
    claims = {row.id: row for row in session.execute(select(*_ROW_COLUMNS).where(Claim.id.in_(ids)))}
    tallies = _evidence_tallies(session, ids)
    result = []
    for key in keys:
        row = claims[key.id]
        supporting, refuting, worst = tallies.get(row.id, (0, 0, None))
        result.append(
            ClaimRow(
                id=row.id,
                text=row.text,
                status=row.status,
                suggested=row.suggested_status,
                score=row.score,
                supporting=supporting,
                refuting=refuting,
                worst_health=worst,
                needs_review=bool(row.needs_review),
                assignee=row.assignee,
                updated_at=row.updated_at,
                version=row.version,
                sort_value=key.sort_value,
            )
        )
    return result


def _evidence_tallies(session: Session, claim_ids: Sequence[int]) -> dict[int, tuple[int, int, str | None]]:
    rank = case(_HEALTH_RANK, value=Source.health, else_=0)
    statement = (
        select(
            Evidence.claim_id,
            func.sum(case((Evidence.stance == "supports", 1), else_=0)),
            func.sum(case((Evidence.stance == "refutes", 1), else_=0)),
            func.max(rank),
        )
        .join(Source, Source.id == Evidence.source_id)
        .where(Evidence.claim_id.in_(claim_ids))
        .group_by(Evidence.claim_id)
    )
    by_rank = {value: name for name, value in _HEALTH_RANK.items()}
    return {
        claim_id: (int(sup or 0), int(ref or 0), by_rank.get(int(worst or 0)))
        for claim_id, sup, ref, worst in session.execute(statement)
    }


def _ordered(query: RowQuery, session: Session, *, reverse: bool = False) -> Select[Any]:
    key = _sort_column(query.sort)
    # Scores and update times read best newest-first; creation order reads oldest-first.
    descending = query.sort is not SortKey.CREATED
    if reverse:
        descending = not descending
    if descending:
        return _base(query, session).order_by(key.desc(), Claim.id.desc())
    return _base(query, session).order_by(key.asc(), Claim.id.asc())


def page_after(session: Session, query: RowQuery, cursor: tuple[Any, int] | None) -> list[ClaimRow]:
    """The page that follows ``cursor`` (the first page when None): keyset pagination."""
    statement = _ordered(query, session)
    if cursor is not None:
        statement = statement.where(_cursor_condition(query, cursor))
    return _page(session, statement.limit(PAGE_SIZE))


def _cursor_condition(
    query: RowQuery, cursor: tuple[Any, int], *, before: bool = False
) -> ColumnElement[bool]:
    """Rows after ``cursor`` in the table's order (or before it)."""
    key = _sort_column(query.sort)
    value, claim_id = cursor
    ascending = query.sort is SortKey.CREATED
    if ascending != before:
        return or_(key > value, and_(key == value, Claim.id > claim_id))
    return or_(key < value, and_(key == value, Claim.id < claim_id))


def page_at(session: Session, query: RowQuery, offset: int, total: int) -> list[ClaimRow]:
    """The page that starts at row ``offset``: from the far end when that is closer (jump to end)."""
    from_end = total - offset
    if from_end <= PAGE_SIZE * 2 and offset > PAGE_SIZE:
        statement = _ordered(query, session, reverse=True).limit(from_end)
        rows = _page(session, statement)
        rows.reverse()
        return rows[:PAGE_SIZE]
    return _page(session, _ordered(query, session).offset(offset).limit(PAGE_SIZE))


def rows_by_id(session: Session, query: RowQuery, claim_ids: Sequence[int]) -> list[ClaimRow]:
    """Fresh rows for claims already on screen (after a write or a capture landed)."""
    statement = select(Claim.id, _sort_column(query.sort).label("sort_value")).where(Claim.id.in_(claim_ids))
    return _page(session, statement)


def position_of(session: Session, query: RowQuery, row: ClaimRow) -> int:
    """How many rows come before ``row`` in this order."""
    before = _base(query, session).where(_cursor_condition(query, row.cursor, before=True))
    inner = before.with_only_columns(Claim.id).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def next_needing_attention(session: Session, query: RowQuery, after: ClaimRow | None) -> ClaimRow | None:
    """The next row (wrapping around) flagged for review; failing that, the next unreviewed one."""
    for condition in (Claim.needs_review.is_(True), Claim.status == ClaimStatus.UNREVIEWED.value):
        statement = _ordered(query, session).where(condition)
        if after is not None:
            following = _page(session, statement.where(_cursor_condition(query, after.cursor)).limit(1))
            if following:
                return following[0]
        first = _page(session, statement.limit(1))
        if first and (after is None or first[0].id != after.id):
            return first[0]
    return None


# ---------------------------------------------------------------- the detail pane


@dataclass(frozen=True)
class EvidenceDetail:
    id: int
    source_id: int
    url: str
    title: str | None
    stance: str
    quote: str | None
    note: str | None
    quote_status: str
    quote_score: float | None
    quote_snapshot_id: int | None
    quote_start: int | None
    quote_end: int | None
    quote_detail: list[Any]
    health: str
    health_reason: str | None


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str
    kind: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    rationale: str | None


@dataclass(frozen=True)
class ClaimDetail:
    id: int
    text: str
    status: str
    version: int
    speaker: str | None
    dates: list[Any]
    score: float | None
    score_reasons: list[Any]
    rationale: str | None
    assignee: str | None
    needs_review: bool
    needs_review_reason: str | None
    suggested: str | None
    suggestion_reason: str | None
    created_at: datetime
    updated_at: datetime
    document_title: str | None
    context_before: str
    context_after: str
    evidence: list[EvidenceDetail]
    events: list[EventView]
    # What the document says at the claim's span, which a reviewer's edit of the text leaves as it was.
    sentence: str | None = None
    # The text first recorded, when a reviewer has since corrected it (claim_edits.py).
    original_text: str | None = None


def claim_detail(session: Session, claim_id: int) -> ClaimDetail:
    claim = get_claim(session, claim_id)
    before = after = ""
    title = sentence = None
    if claim.document_id is not None and claim.span_start is not None and claim.span_end is not None:
        document = session.get(Document, claim.document_id)
        if document is not None:
            title = document.title
            before = document.body[max(0, claim.span_start - CONTEXT_CHARS) : claim.span_start]
            after = document.body[claim.span_end : claim.span_end + CONTEXT_CHARS]
            sentence = document.body[claim.span_start : claim.span_end]
    evidence_rows = evidence_for_claim(session, claim_id)
    events = claim_history(session, claim_id)  # the claim is in the session already: no second lookup
    return ClaimDetail(
        id=claim.id,
        text=claim.text,
        status=claim.status,
        version=claim.version,
        speaker=claim.speaker,
        dates=list(claim.dates or []),
        score=claim.score,
        score_reasons=list(claim.score_reasons or []),
        rationale=claim.rationale,
        assignee=claim.assignee,
        needs_review=claim.needs_review,
        needs_review_reason=claim.needs_review_reason,
        suggested=claim.suggested_status,
        suggestion_reason=claim.suggestion_reason,
        created_at=claim.created_at,
        updated_at=claim.updated_at,
        document_title=title,
        context_before=before,
        context_after=after,
        evidence=[_evidence_view(ev, src) for ev, src in evidence_rows],
        events=[_event_view(event) for event in events],
        sentence=sentence,
        original_text=claim.original_text if claim.original_text != claim.text else None,
    )


def _evidence_view(evidence: Evidence, source: Source) -> EvidenceDetail:
    return EvidenceDetail(
        id=evidence.id,
        source_id=source.id,
        url=source.url,
        title=source.title,
        stance=evidence.stance,
        quote=evidence.quote,
        note=evidence.note,
        quote_status=evidence.quote_status,
        quote_score=evidence.quote_score,
        quote_snapshot_id=evidence.quote_snapshot_id,
        quote_start=evidence.quote_start,
        quote_end=evidence.quote_end,
        quote_detail=list(evidence.quote_detail or []),
        health=source.health,
        health_reason=source.health_reason,
    )


def last_event_view(session: Session, claim_id: int) -> EventView | None:
    """The event that brought the claim to its current version (what a conflicting edit did)."""
    event = version_change_for(session, get_claim(session, claim_id))
    return None if event is None else _event_view(event)


def _event_view(event: Event) -> EventView:
    return EventView(event.at, event.actor, event.kind, event.before, event.after, event.rationale)


def largest_claim_id(session: Session) -> int:
    """The greatest claim id (0 for an empty ledger): the review table sizes its id column to it."""
    return int(session.scalar(select(func.max(Claim.id))) or 0)


def latest_event_id(session: Session) -> int:
    """The newest audit event's id (0 for an empty log): the marker a watcher compares against.

    Every change to the ledger appends an event in its own transaction, and appends are serialised
    (audit.lock_log), so events become visible in id order and "anything after N" misses nothing."""
    return int(session.scalar(select(func.max(Event.id))) or 0)


# Events that add claims or change many at once: a watching table re-reads its rows and count.
_RESHAPING_EVENTS = frozenset({"claim.created", "claim.imported", "claim.appeared", "document.ingested"})


@dataclass(frozen=True, slots=True)
class LedgerChanges:
    """What the audit log says changed after some event: the claims touched, and whether the set of
    claims (or something not tied to one claim, such as a source's health) changed too."""

    last_event_id: int
    claim_ids: frozenset[int]
    reshaped: bool

    @property
    def any(self) -> bool:
        return bool(self.claim_ids) or self.reshaped


def changes_since(session: Session, event_id: int, *, limit: int = 500) -> LedgerChanges:
    """The changes recorded after event ``event_id``: a range scan of the events' primary key, so a
    poll that finds nothing new costs the same at any ledger size. More than ``limit`` new events
    count as a reshape (the watcher re-reads everything) rather than being listed."""
    rows = session.execute(
        select(Event.id, Event.claim_id, Event.kind)
        .where(Event.id > event_id)
        .order_by(Event.id)
        .limit(limit + 1)
    ).all()
    if not rows:
        return LedgerChanges(event_id, frozenset(), reshaped=False)
    if len(rows) > limit:
        return LedgerChanges(latest_event_id(session), frozenset(), reshaped=True)
    claim_ids = frozenset(claim_id for _id, claim_id, _kind in rows if claim_id is not None)
    reshaped = any(claim_id is None or kind in _RESHAPING_EVENTS for _id, claim_id, kind in rows)
    return LedgerChanges(rows[-1][0], claim_ids, reshaped)
