"""Leases on sources, and what "due" means.

A source is **due** when its ``next_check_at`` has come and nobody holds a live lease on it. A worker
leases a batch of due sources by stamping them with its name and an expiry. PostgreSQL picks the rows
with ``FOR UPDATE SKIP LOCKED``, so concurrent workers take disjoint batches without waiting for each
other; SQLite has one writer at a time (``BEGIN IMMEDIATE``) and ignores the locking clause. Recording a
capture (ledger/snapshots.py) moves ``next_check_at`` into the future and clears the lease.

The caller owns the transaction: archive/leases.py wraps each of these in its own short one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, ColumnElement, and_, func, literal, or_, select, update
from sqlalchemy.orm import Session

from factledger.ledger.models import Source

# Multiplicative hashing (Knuth): a cheap, deterministic shuffle of ids that SQL can compute.
_SCRAMBLE = 2654435761
_SCRAMBLE_MODULUS = 4294967296


@dataclass(frozen=True)
class LeasedSource:
    id: int
    url: str
    domain: str = ""
    consecutive_failures: int = 0


def is_due(now: datetime) -> ColumnElement[bool]:
    """The one definition of a due source: its check time has come and it is not leased (or the lease
    expired, which means its worker died)."""
    return and_(
        Source.next_check_at.is_not(None),
        Source.next_check_at <= now,
        or_(Source.lease_expires_at.is_(None), Source.lease_expires_at < now),
    )


def lease_due(
    session: Session,
    owner: str,
    limit: int,
    *,
    now: datetime,
    lease_for: timedelta,
    only_ids: Sequence[int] | None = None,
) -> list[LeasedSource]:
    """Lease up to ``limit`` due sources (of ``only_ids``, if given) to ``owner``, oldest-due first."""
    due = (
        select(Source.id)
        .where(is_due(now))
        # Same-time sources (a bulk import) come in a scrambled order rather than by id, which follows
        # the URL and so clusters one host: a leased window then spans many hosts, and per-host
        # limits do not starve the run.
        .order_by(
            Source.next_check_at,
            (Source.id * literal(_SCRAMBLE, BigInteger)) % _SCRAMBLE_MODULUS,
            Source.id,
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if only_ids is not None:
        due = due.where(Source.id.in_(only_ids))
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(
        update(Source)
        .where(Source.id.in_(ids))
        .values(lease_owner=owner, lease_expires_at=now + lease_for)
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(Source.id, Source.url, Source.domain, Source.consecutive_failures).where(Source.id.in_(ids))
    ).all()
    by_id = {row.id: LeasedSource(row.id, row.url, row.domain, row.consecutive_failures) for row in rows}
    return [by_id[source_id] for source_id in ids]


def release(session: Session, owners: Sequence[str], source_ids: Sequence[int] | None = None) -> int:
    """Clear the leases ``owners`` hold (on ``source_ids`` only, if given); how many were cleared."""
    statement = update(Source).where(Source.lease_owner.in_(owners))
    if source_ids is not None:
        statement = statement.where(Source.id.in_(source_ids))
    result = session.execute(
        statement.values(lease_owner=None, lease_expires_at=None).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def renew(session: Session, owner: str, source_ids: Sequence[int], until: datetime) -> int:
    """Extend ``owner``'s leases on ``source_ids`` to ``until``; how many it still held (a lease another
    worker took over after it expired is not taken back)."""
    if not source_ids:
        return 0
    result = session.execute(
        update(Source)
        .where(Source.lease_owner == owner, Source.id.in_(source_ids))
        .values(lease_expires_at=until)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def schedule_now(session: Session, source_ids: Sequence[int] | None, now: datetime) -> int:
    """Make sources due at ``now`` (all of them when ``source_ids`` is None); how many."""
    statement = update(Source).values(next_check_at=now)
    if source_ids is not None:
        statement = statement.where(Source.id.in_(source_ids))
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def lease_owners_starting(session: Session, prefix: str) -> list[str]:
    """Every distinct lease owner whose name starts with ``prefix`` (a machine's workers)."""
    owners = session.scalars(
        select(Source.lease_owner).where(Source.lease_owner.startswith(prefix, autoescape=True)).distinct()
    )
    return [owner for owner in owners if owner is not None]


@dataclass(frozen=True)
class Waiting:
    """The archive queue at a moment: how many sources are due, how many are not yet (and the soonest
    next check among them), and how many of those wait out a retry after a failed check (the rest are
    healthy and on their regular schedule)."""

    due: int
    count: int
    soonest: datetime | None
    retrying: int
    retrying_soonest: datetime | None


def waiting_sources(session: Session, now: datetime) -> Waiting:
    """How many sources a pass would capture now, and what it can tell the user about the others."""
    not_due = Source.next_check_at > now
    retry = and_(not_due, Source.consecutive_failures > 0)
    row = session.execute(
        select(
            func.count().filter(is_due(now)),
            func.count().filter(not_due),
            func.min(Source.next_check_at).filter(not_due),
            func.count().filter(retry),
            func.min(Source.next_check_at).filter(retry),
        )
    ).one()
    return Waiting(int(row[0]), int(row[1]), row[2], int(row[3]), row[4])
