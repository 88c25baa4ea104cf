"""What ``factledger status`` shows: the ledger's state at a glance, and each archive worker's last pass."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factledger.ledger.leases import is_due
from factledger.ledger.models import Claim, Snapshot, Source, WorkerPass


def claims_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Claim.status, func.count()).group_by(Claim.status))
    return {status: int(count) for status, count in sorted(rows)}


def claims_needing_review(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(Claim.needs_review.is_(True))) or 0)


def sources_by_health(session: Session) -> dict[str, int]:
    rows = session.execute(select(Source.health, func.count()).group_by(Source.health))
    return {health: int(count) for health, count in sorted(rows)}


def sources_due(session: Session, now: datetime) -> int:
    """How many sources are due and not leased: the archive backlog."""
    return int(session.scalar(select(func.count()).select_from(Source).where(is_due(now))) or 0)


def failures_by_kind(session: Session, since: datetime) -> dict[str, int]:
    """Failed captures since ``since`` by kind: the fetch error's kind, else the HTTP status."""
    rows = session.execute(
        select(Snapshot.error_kind, Snapshot.http_status, func.count())
        .where(
            Snapshot.fetched_at >= since,
            (Snapshot.error_kind.is_not(None)) | (Snapshot.http_status >= 400),
        )
        .group_by(Snapshot.error_kind, Snapshot.http_status)
    )
    kinds: Counter[str] = Counter()
    for kind, status, count in rows:
        kinds[kind or f"http_{status}"] += int(count)
    return dict(sorted(kinds.items()))


def record_worker_pass(session: Session, worker: str, finished_at: datetime, summary: dict[str, Any]) -> None:
    """Keep ``worker``'s latest pass (one row per worker, replaced each pass)."""
    session.merge(WorkerPass(worker=worker, finished_at=finished_at, summary=summary))


def worker_passes(session: Session) -> list[WorkerPass]:
    """Every worker's last pass, most recent first."""
    return list(
        session.scalars(select(WorkerPass).order_by(WorkerPass.finished_at.desc(), WorkerPass.worker))
    )
