"""Recording captures: a Snapshot row, the source's new health and schedule, drift against the
previous capture, and review flags on the claims that lean on a source that went bad.

The archiver calls this only after the capture's WARC record is on disk (fsynced), so a Snapshot
never points at a record that is not there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_events
from factledger.ledger.bulk.driver_sql import RowInserter
from factledger.ledger.claims import claims_by_id, clear_flag, flag_for_review
from factledger.ledger.errors import NotFoundError
from factledger.ledger.models import Evidence, Snapshot, Source, core_table
from factledger.ledger.snapshot_queries import PreviousCapture, previous_captures
from factledger.ledger.statuses import DEAD_HEALTH, SourceHealth

__all__ = [
    "CaptureRecord",
    "PreviousCapture",
    "RecordedCapture",
    "RecordedSnapshot",
    "citing_claim_ids",
    "record_captures",
]


@dataclass(frozen=True)
class CaptureRecord:
    source_id: int
    fetched_at: datetime
    health: SourceHealth
    health_reason: str | None
    next_check_at: datetime
    http_status: int | None = None
    final_url: str | None = None
    redirect_chain: list[Any] | None = None
    content_type: str | None = None
    content_length: int | None = None
    payload_sha256: str | None = None
    error_kind: str | None = None
    error_message: str | None = None
    duration_ms: int | None = None
    warc_filename: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    is_revisit: bool = False
    full_text_ref: str | None = None
    main_text_ref: str | None = None
    title: str | None = None
    # The archiver already knows the previous capture (it needs it for revisit records); passing it
    # saves a query per capture. None means "look it up".
    previous: PreviousCapture | None = None
    previous_known: bool = False


@dataclass(frozen=True, slots=True)
class RecordedSnapshot:
    """The snapshot row ``record_captures`` wrote, as plain data (no ORM object: see record_captures)."""

    id: int
    source_id: int
    fetched_at: datetime
    http_status: int | None
    final_url: str | None
    redirect_chain: list[Any] | None
    content_type: str | None
    content_length: int | None
    payload_sha256: str | None
    error_kind: str | None
    error_message: str | None
    duration_ms: int | None
    warc_filename: str | None
    warc_offset: int | None
    warc_length: int | None
    full_text_ref: str | None
    main_text_ref: str | None
    drift: str
    is_revisit: bool


# The snapshot columns record_captures writes, in RecordedSnapshot's order after ``id``.
_SNAPSHOT_COLUMNS: Final = tuple(name for name in RecordedSnapshot.__slots__ if name != "id")


@dataclass
class RecordedCapture:
    snapshot: RecordedSnapshot
    health: SourceHealth
    previous_health: SourceHealth
    drift: str
    flagged_claim_ids: list[int] = field(default_factory=list)
    unflagged_claim_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _LockedSource:
    """What recording a capture reads of its source (locked for the transaction)."""

    id: int
    url: str
    health: str
    consecutive_failures: int
    title: str | None


def _drift(record: CaptureRecord, previous: PreviousCapture | None) -> str:
    if record.payload_sha256 is None:
        return "failed"
    if previous is None:
        return "first"
    if previous.payload_sha256 == record.payload_sha256:
        return "same_digest"
    if record.full_text_ref is not None and previous.full_text_ref == record.full_text_ref:
        return "same_text"
    return "changed_text"


def _flag_reason(
    source: _LockedSource, record: CaptureRecord, drift: str, previous_health: SourceHealth
) -> str | None:
    captured = f"{record.fetched_at:%Y-%m-%d}"
    if record.health in DEAD_HEALTH and previous_health not in DEAD_HEALTH:
        detail = f" ({record.health_reason})" if record.health_reason else ""
        return f"source {record.health.value}{detail} (captured {captured}): {source.url}"
    # Back from dead: the previous capture was the error page, so a changed text says nothing.
    if drift == "changed_text" and previous_health not in DEAD_HEALTH:
        return f"source text changed (captured {captured}): {source.url}"
    return None


def _dead_flag_of(source: _LockedSource, reason: str | None) -> bool:
    """Whether a claim's review flag is the one ``_flag_reason`` raised when this source went dead."""
    if reason is None or not reason.endswith(f": {source.url}"):
        return False
    return any(reason.startswith(f"source {health.value} ") for health in DEAD_HEALTH)


def _recovered(result: RecordedCapture) -> bool:
    return result.previous_health in DEAD_HEALTH and result.health in (
        SourceHealth.OK,
        SourceHealth.REDIRECTED,
    )


def _clear_dead_flags(session: Session, actor: str, source: _LockedSource, fetched_at: datetime) -> list[int]:
    """A dead source answers again: the flags it raised on the claims citing it are cleared, each with a
    ``claim.unflagged`` event. A flag raised by anything else stays."""
    why = f"source answers again (captured {fetched_at:%Y-%m-%d}): {source.url}"
    cleared = []
    for claim_id, claim in claims_by_id(session, citing_claim_ids(session, source.id)).items():
        reason = claim.needs_review_reason
        if (
            reason is not None
            and _dead_flag_of(source, reason)
            and clear_flag(session, actor, claim_id, reason, why) is not None
        ):
            cleared.append(claim_id)
    return sorted(cleared)


def record_captures(session: Session, actor: str, records: Sequence[CaptureRecord]) -> list[RecordedCapture]:
    """Record a group of captures in one go: one query for their sources, one executemany for the
    snapshot rows and one for the source updates, one append for their audit events. The archiver
    commits captures a group at a time, and doing these per capture cost more than fetching the page.

    Core statements rather than ORM objects: the ORM's unit of work (a Snapshot object and eight
    attribute changes on a Source a capture) cost about three times the statements' own work, in the
    process whose event loop also fetches. Source objects that the caller's session holds are expired,
    so they read the new values on next use."""
    session.flush()  # Core statements below: whatever the caller's session holds goes first
    # Locked in id order, so two workers recording overlapping groups cannot deadlock on PostgreSQL.
    wanted = sorted({record.source_id for record in records})
    sources = {
        row.id: _LockedSource(row.id, row.url, row.health, row.consecutive_failures, row.title)
        for row in session.execute(
            select(Source.id, Source.url, Source.health, Source.consecutive_failures, Source.title)
            .where(Source.id.in_(wanted))
            .order_by(Source.id)
            .with_for_update()
        )
    }
    for source_id in wanted:
        if source_id not in sources:
            raise NotFoundError(f"no source with id {source_id}")

    drifts: list[str] = []
    previous_health: list[SourceHealth] = []
    updates: list[dict[str, Any]] = []
    rows: list[tuple[Any, ...]] = []  # the snapshot rows, in order; the first len(snapshot_ids) are in
    snapshot_ids: list[int] = []
    for record in records:
        source = sources[record.source_id]
        if record.previous_known:
            previous = record.previous
        else:
            # The lookup must see every earlier capture of the group (the next record of a source
            # must see this one as its previous capture): the rows so far go in first.
            snapshot_ids += _insert_snapshots(session, rows[len(snapshot_ids) :])
            previous = previous_captures(session, [source.id]).get(source.id)
        drifts.append(_drift(record, previous))
        previous_health.append(SourceHealth(source.health))
        values = _source_update(source, record)
        updates.append(values)
        sources[source.id] = _after_capture(source, values)
        rows.append(_snapshot_values(record, drifts[-1]))
    snapshot_ids += _insert_snapshots(session, rows[len(snapshot_ids) :])
    _update_sources(session, updates)

    results = [
        RecordedCapture(
            snapshot=RecordedSnapshot(snapshot_id, *row),
            health=record.health,
            previous_health=before,
            drift=drift,
        )
        for record, row, drift, before, snapshot_id in zip(
            records, rows, drifts, previous_health, snapshot_ids, strict=True
        )
    ]
    events = [
        NewEvent(
            "source.checked",
            None,
            {"health": result.previous_health.value},
            {
                "source_id": result.snapshot.source_id,
                "url": sources[result.snapshot.source_id].url,
                "health": result.health.value,
                "reason": record.health_reason,
                "drift": result.drift,
                "snapshot_id": result.snapshot.id,
            },
            None,
        )
        for record, result in zip(records, results, strict=True)
        if result.previous_health != result.health or result.drift == "changed_text"
    ]
    append_events(session, actor, events)

    for record, result in zip(records, results, strict=True):
        source = sources[record.source_id]
        if _recovered(result):
            result.unflagged_claim_ids.extend(_clear_dead_flags(session, actor, source, record.fetched_at))
        reason = _flag_reason(source, record, result.drift, result.previous_health)
        if reason is not None:
            for claim_id in citing_claim_ids(session, source.id):
                flag_for_review(session, actor, claim_id, reason)
                result.flagged_claim_ids.append(claim_id)
    return results


def _snapshot_values(record: CaptureRecord, drift: str) -> tuple[Any, ...]:
    """The snapshot row of a capture, in ``_SNAPSHOT_COLUMNS`` order."""
    return (
        record.source_id,
        record.fetched_at,
        record.http_status,
        record.final_url,
        record.redirect_chain,
        record.content_type,
        record.content_length,
        record.payload_sha256,
        record.error_kind,
        record.error_message,
        record.duration_ms,
        record.warc_filename,
        record.warc_offset,
        record.warc_length,
        record.full_text_ref,
        record.main_text_ref,
        drift,
        record.is_revisit,
    )


def _insert_snapshots(session: Session, rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert snapshot rows; their ids, in order. On SQLite one driver executemany, numbered without a
    read (bulk/driver_sql.py); elsewhere an INSERT ... RETURNING in parameter order."""
    if not rows:
        return []
    table = core_table(Snapshot)
    inserter = RowInserter(session, table, _SNAPSHOT_COLUMNS)
    if session.get_bind().dialect.name == "sqlite":
        convert = [inserter.processor(name) for name in _SNAPSHOT_COLUMNS]
        numbered = inserter.insert_numbered(
            [tuple(process(value) for process, value in zip(convert, row, strict=True)) for row in rows]
        )
        if numbered is not None:
            return list(numbered)
        raise RuntimeError("snapshot ids did not follow the largest id")  # only an AUTOINCREMENT table
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, [dict(zip(_SNAPSHOT_COLUMNS, row, strict=True)) for row in rows]))


def _source_update(source: _LockedSource, record: CaptureRecord) -> dict[str, Any]:
    failed = record.health not in (SourceHealth.OK, SourceHealth.REDIRECTED)
    return {
        "source_id": source.id,
        "health": record.health.value,
        "health_reason": record.health_reason,
        "last_checked_at": record.fetched_at,
        "next_check_at": record.next_check_at,
        "consecutive_failures": source.consecutive_failures + 1 if failed else 0,
        "lease_owner": None,
        "lease_expires_at": None,
        "new_final_url": record.final_url or None,  # none: the source keeps the one it had
        "title": source.title if source.title or not record.title else record.title[:500],
    }


def _after_capture(source: _LockedSource, values: dict[str, Any]) -> _LockedSource:
    """The source as its update (``_source_update``'s values) leaves it, for a later capture of the same
    source in the group."""
    return _LockedSource(
        source.id, source.url, values["health"], values["consecutive_failures"], values["title"]
    )


def _update_sources(session: Session, updates: list[dict[str, Any]]) -> None:
    table = core_table(Source)
    new_final_url = bindparam("new_final_url", type_=table.c.final_url.type)
    statement = (
        update(table)
        .where(table.c.id == bindparam("source_id"))
        .values(final_url=func.coalesce(new_final_url, table.c.final_url))
    )
    session.execute(statement, updates)
    # Source objects the caller's session loaded before this no longer match their rows.
    wanted = {values["source_id"] for values in updates}
    for key in list(session.identity_map.keys()):
        if key[0] is Source and key[1][0] in wanted:
            session.expire(session.identity_map[key])


def citing_claim_ids(session: Session, source_id: int) -> Sequence[int]:
    return session.scalars(
        select(Evidence.claim_id)
        .where(Evidence.source_id == source_id)
        .distinct()
        .order_by(Evidence.claim_id)
    ).all()
