"""Leasing due sources to archive workers, so N workers on N machines never fetch one source twice.

A worker leases a batch of due sources by stamping them with its name and an expiry, in one short
transaction. PostgreSQL picks the rows with ``FOR UPDATE SKIP LOCKED``, so concurrent workers take
disjoint batches without waiting for each other; SQLite has one writer at a time (``BEGIN IMMEDIATE``)
and ignores the locking clause. A lease that outlives its expiry belongs to a dead worker: any worker
may take the source again. Finishing a capture moves ``next_check_at`` into the future and clears the
lease, which is why a source is fetched once per cycle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, literal, or_, select, update

from factledger.ledger.database import Ledger
from factledger.ledger.models import Source, utcnow

DEFAULT_LEASE = timedelta(minutes=10)
# Multiplicative hashing (Knuth): a cheap, deterministic shuffle of ids that SQL can compute.
_SCRAMBLE = 2654435761
_SCRAMBLE_MODULUS = 4294967296


@dataclass(frozen=True)
class LeasedSource:
    id: int
    url: str
    domain: str = ""
    consecutive_failures: int = 0


def lease_due_sources(
    ledger: Ledger,
    owner: str,
    limit: int,
    *,
    lease_for: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
    only_ids: list[int] | None = None,
) -> list[LeasedSource]:
    now = now or utcnow()
    with ledger.write() as session:
        due = (
            select(Source.id)
            .where(
                Source.next_check_at.is_not(None),
                Source.next_check_at <= now,
                or_(Source.lease_expires_at.is_(None), Source.lease_expires_at < now),
            )
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
            select(Source.id, Source.url, Source.domain, Source.consecutive_failures).where(
                Source.id.in_(ids)
            )
        ).all()
        by_id = {row.id: LeasedSource(row.id, row.url, row.domain, row.consecutive_failures) for row in rows}
        return [by_id[source_id] for source_id in ids]


def release_leases(ledger: Ledger, owner: str, source_ids: list[int]) -> None:
    """Give back sources a worker leased but will not fetch (it is stopping)."""
    if not source_ids:
        return
    with ledger.write() as session:
        session.execute(
            update(Source)
            .where(Source.id.in_(source_ids), Source.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )


def make_due(ledger: Ledger, source_ids: list[int] | None = None, *, now: datetime | None = None) -> int:
    """Schedule sources for the next run (all of them when ``source_ids`` is None)."""
    with ledger.write() as session:
        statement = update(Source).values(next_check_at=now or utcnow())
        if source_ids is not None:
            statement = statement.where(Source.id.in_(source_ids))
        result = session.execute(statement.execution_options(synchronize_session=False))
        return int(result.rowcount)  # type: ignore[attr-defined]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True


def release_dead_local_leases(ledger: Ledger, hostname: str) -> int:
    """Free the leases of workers on this machine whose process is gone (killed, crashed).

    Leases from other machines cannot be checked this way; they simply expire."""
    prefix = f"{hostname}-"
    with ledger.write() as session:
        owners = session.scalars(
            select(Source.lease_owner)
            .where(Source.lease_owner.startswith(prefix, autoescape=True))
            .distinct()
        ).all()
        dead = [
            owner
            for owner in owners
            if owner is not None
            and owner[len(prefix) :].isdigit()
            and not _pid_alive(int(owner[len(prefix) :]))
        ]
        if not dead:
            return 0
        result = session.execute(
            update(Source)
            .where(Source.lease_owner.in_(dead))
            .values(lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
