"""Reading captures (Snapshot rows) back: which capture is the latest, the previous one, the one that
holds a revisit's payload, and the archived copy a reader of a dead source is pointed at.

**Latest** means latest in time: the greatest ``(fetched_at, id)``. Not the greatest id: several
workers (on several machines) commit their groups in whatever order they finish, and an imported
capture gets a new id for an old date, so id order is only insertion order. ``id`` breaks ties
between captures stamped with the same time, where insertion order is the best we know.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from factledger.ledger.errors import NotFoundError
from factledger.ledger.models import Evidence, Snapshot, Source
from factledger.ledger.statuses import EXTRACT_ERROR_KINDS

NEWEST_FIRST = (Snapshot.fetched_at.desc(), Snapshot.id.desc())


@dataclass(frozen=True)
class PreviousCapture:
    """A source's latest capture with a payload: what a new capture's drift is judged against, and
    what a revisit record (same payload digest) refers to."""

    payload_sha256: str
    uri: str
    fetched_at: datetime
    full_text_ref: str | None
    # Why that capture has no text although it should (extract_limit, extract_error), and the reason: a
    # revisit of the same payload has none either, for the same reason.
    extract_error_kind: str | None = None
    extract_error: str | None = None


@dataclass(frozen=True, slots=True)
class TextSnapshot:
    """A source's latest capture that quotes are checked against (see ``latest_text_snapshots``)."""

    id: int
    full_text_ref: str


def _latest_per_source(
    session: Session,
    columns: Sequence[InstrumentedAttribute[Any]],
    source_ids: Iterable[int],
    *conditions: ColumnElement[bool],
) -> list[tuple[Any, ...]]:
    """``columns`` of each source's latest snapshot among those meeting ``conditions``."""
    ranked = (
        select(
            *columns,
            func.row_number().over(partition_by=Snapshot.source_id, order_by=NEWEST_FIRST).label("rank"),
        )
        .where(Snapshot.source_id.in_(sorted(set(source_ids))), *conditions)
        .subquery()
    )
    rows = session.execute(
        select(*(ranked.c[column.key] for column in columns)).where(ranked.c.rank == 1)
    ).all()
    return [tuple(row) for row in rows]


def previous_captures(session: Session, source_ids: Iterable[int]) -> dict[int, PreviousCapture]:
    """Each source's latest capture with a payload (sources never captured are left out)."""
    rows = _latest_per_source(
        session,
        (
            Snapshot.source_id,
            Snapshot.payload_sha256,
            Snapshot.final_url,
            Snapshot.fetched_at,
            Snapshot.full_text_ref,
            Snapshot.error_kind,
            Snapshot.error_message,
        ),
        source_ids,
        Snapshot.payload_sha256.is_not(None),
    )
    return {
        row[0]: PreviousCapture(
            row[1] or "",
            row[2] or "",
            row[3],
            row[4],
            *((row[5], row[6]) if row[5] in EXTRACT_ERROR_KINDS else (None, None)),
        )
        for row in rows
    }


def latest_text_snapshots(session: Session, source_ids: Iterable[int]) -> dict[int, TextSnapshot]:
    """Each source's latest successful capture with text: even when the source is gone now, our archive
    still holds it. An error page (a 404 or 410 body) is not what the source said, so it never counts."""
    rows = _latest_per_source(
        session,
        (Snapshot.source_id, Snapshot.id, Snapshot.full_text_ref),
        source_ids,
        Snapshot.full_text_ref.is_not(None),
        Snapshot.http_status >= 200,
        Snapshot.http_status < 300,
    )
    return {source: TextSnapshot(snapshot_id, ref) for source, snapshot_id, ref in rows if ref is not None}


def textless_captures(session: Session, source_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """The sources whose latest successful capture gave no text because extraction failed (over a bound
    or unreadable): each one's snapshot id and the reason ("extract_limit: nesting depth > 1024")."""
    rows = _latest_per_source(
        session,
        (Snapshot.source_id, Snapshot.id, Snapshot.error_kind, Snapshot.error_message),
        source_ids,
        Snapshot.http_status >= 200,
        Snapshot.http_status < 300,
    )
    return {
        source: (snapshot_id, f"{kind}: {message}")
        for source, snapshot_id, kind, message in rows
        if kind in EXTRACT_ERROR_KINDS
    }


def latest_snapshot(session: Session, source_id: int, *, with_payload: bool = True) -> Snapshot | None:
    """One source's latest capture (with a payload, unless ``with_payload`` is False)."""
    query = select(Snapshot).where(Snapshot.source_id == source_id)
    if with_payload:
        query = query.where(Snapshot.payload_sha256.is_not(None))
    return session.scalars(query.order_by(*NEWEST_FIRST).limit(1)).first()


def get_snapshot(session: Session, snapshot_id: int) -> Snapshot:
    snapshot = session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise NotFoundError(f"no snapshot with id {snapshot_id}")
    return snapshot


def find_snapshot(session: Session, snapshot_id: int) -> Snapshot | None:
    return session.get(Snapshot, snapshot_id)


def payload_holder(session: Session, snapshot: Snapshot) -> Snapshot:
    """The capture whose WARC record holds ``snapshot``'s payload: itself, or for a revisit (which has
    no payload of its own) the first full capture of its source with the same digest."""
    if not snapshot.is_revisit:
        return snapshot
    original = session.scalars(
        select(Snapshot)
        .where(
            Snapshot.source_id == snapshot.source_id,
            Snapshot.payload_sha256 == snapshot.payload_sha256,
            Snapshot.is_revisit.is_(False),
            Snapshot.warc_filename.is_not(None),
        )
        .order_by(Snapshot.id)
        .limit(1)
    ).first()
    if original is None:
        raise NotFoundError(f"snapshot {snapshot.id} is a revisit whose original capture is missing")
    return original


def archived_copy(session: Session, evidence: Evidence) -> Snapshot | None:
    """Our capture that last held the evidence's quote: where a reader of an unreachable source
    (statuses.UNREACHABLE_HEALTH) still finds it."""
    if evidence.quote_found_snapshot_id is None:
        return None
    return session.get(Snapshot, evidence.quote_found_snapshot_id)


def snapshots_for_source(session: Session, source_id: int) -> Sequence[Snapshot]:
    """Every capture of a source, oldest first."""
    return session.scalars(
        select(Snapshot).where(Snapshot.source_id == source_id).order_by(Snapshot.fetched_at, Snapshot.id)
    ).all()


def latest_snapshot_of_url(session: Session, url: str) -> tuple[Source, Snapshot | None] | None:
    """The source whose URL is ``url`` and its latest capture, failed ones included (None when it has
    none yet); None when no source has that URL. ``url`` is compared as stored: pass a source's URL
    (``get_or_create_source`` normalizes it), not what a user typed."""
    source = session.scalars(select(Source).where(Source.url == url)).first()
    if source is None:
        return None
    return source, latest_snapshot(session, source.id, with_payload=False)
