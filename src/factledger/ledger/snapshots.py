"""Recording captures: a Snapshot row, the source's new health and schedule, drift against the
previous capture, and review flags on the claims that lean on a source that went bad.

The archiver calls this only after the capture's WARC record is on disk (fsynced), so a Snapshot
never points at a record that is not there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_events
from factledger.ledger.claims import claims_by_id, clear_flag, flag_for_review
from factledger.ledger.errors import NotFoundError
from factledger.ledger.models import Evidence, Snapshot, Source
from factledger.ledger.snapshot_queries import PreviousCapture, previous_captures
from factledger.ledger.statuses import DEAD_HEALTH, SourceHealth

__all__ = [
    "CaptureRecord",
    "PreviousCapture",
    "RecordedCapture",
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


@dataclass
class RecordedCapture:
    snapshot: Snapshot
    health: SourceHealth
    previous_health: SourceHealth
    drift: str
    flagged_claim_ids: list[int] = field(default_factory=list)
    unflagged_claim_ids: list[int] = field(default_factory=list)


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
    source: Source, record: CaptureRecord, drift: str, previous_health: SourceHealth
) -> str | None:
    captured = f"{record.fetched_at:%Y-%m-%d}"
    if record.health in DEAD_HEALTH and previous_health not in DEAD_HEALTH:
        detail = f" ({record.health_reason})" if record.health_reason else ""
        return f"source {record.health.value}{detail} (captured {captured}): {source.url}"
    # Back from dead: the previous capture was the error page, so a changed text says nothing.
    if drift == "changed_text" and previous_health not in DEAD_HEALTH:
        return f"source text changed (captured {captured}): {source.url}"
    return None


def _dead_flag_of(source: Source, reason: str | None) -> bool:
    """Whether a claim's review flag is the one ``_flag_reason`` raised when this source went dead."""
    if reason is None or not reason.endswith(f": {source.url}"):
        return False
    return any(reason.startswith(f"source {health.value} ") for health in DEAD_HEALTH)


def _recovered(result: RecordedCapture) -> bool:
    return result.previous_health in DEAD_HEALTH and result.health in (
        SourceHealth.OK,
        SourceHealth.REDIRECTED,
    )


def _clear_dead_flags(session: Session, actor: str, source: Source, fetched_at: datetime) -> list[int]:
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
    """Record a group of captures in one go: one query for their sources, one flush for the snapshot
    rows and source updates, one append for their audit events. The archiver commits captures a group
    at a time, and doing these per capture cost more than fetching the page."""
    # Locked in id order, so two workers recording overlapping groups cannot deadlock on PostgreSQL.
    wanted = sorted({record.source_id for record in records})
    found = session.scalars(select(Source).where(Source.id.in_(wanted)).order_by(Source.id).with_for_update())
    sources = {source.id: source for source in found}
    for source_id in wanted:
        if source_id not in sources:
            raise NotFoundError(f"no source with id {source_id}")

    results: list[RecordedCapture] = []
    for record in records:
        source = sources[record.source_id]
        previous = (
            record.previous
            if record.previous_known
            else previous_captures(session, [source.id]).get(source.id)
        )
        drift = _drift(record, previous)
        snapshot = _snapshot_row(record, drift)
        session.add(snapshot)
        previous_health = SourceHealth(source.health)
        _update_source(source, record)
        results.append(
            RecordedCapture(
                snapshot=snapshot, health=record.health, previous_health=previous_health, drift=drift
            )
        )
        if not record.previous_known:
            session.flush()  # the next record of this source must see this one as its previous capture
    session.flush()

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


def _snapshot_row(record: CaptureRecord, drift: str) -> Snapshot:
    return Snapshot(
        source_id=record.source_id,
        fetched_at=record.fetched_at,
        http_status=record.http_status,
        final_url=record.final_url,
        redirect_chain=record.redirect_chain,
        content_type=record.content_type,
        content_length=record.content_length,
        payload_sha256=record.payload_sha256,
        error_kind=record.error_kind,
        error_message=record.error_message,
        duration_ms=record.duration_ms,
        warc_filename=record.warc_filename,
        warc_offset=record.warc_offset,
        warc_length=record.warc_length,
        is_revisit=record.is_revisit,
        full_text_ref=record.full_text_ref,
        main_text_ref=record.main_text_ref,
        drift=drift,
    )


def _update_source(source: Source, record: CaptureRecord) -> None:
    failed = record.health not in (SourceHealth.OK, SourceHealth.REDIRECTED)
    source.health = record.health.value
    source.health_reason = record.health_reason
    source.last_checked_at = record.fetched_at
    source.next_check_at = record.next_check_at
    source.consecutive_failures = source.consecutive_failures + 1 if failed else 0
    source.lease_owner = None
    source.lease_expires_at = None
    if record.final_url:
        source.final_url = record.final_url
    if record.title and not source.title:
        source.title = record.title[:500]


def citing_claim_ids(session: Session, source_id: int) -> Sequence[int]:
    return session.scalars(
        select(Evidence.claim_id)
        .where(Evidence.source_id == source_id)
        .distinct()
        .order_by(Evidence.claim_id)
    ).all()
