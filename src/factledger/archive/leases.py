"""Leasing due sources to archive workers, so N workers on N machines never fetch one source twice.

A worker leases a batch of due sources by stamping them with its name and an expiry, in one short
transaction (the queries, and what "due" means, are in ledger/leases.py). It leases about what it can
finish soon (twice its concurrency, dispatch.py), so N workers share a queue fairly, and renews the
leases it still works on while they are in flight (runner.py). A lease that outlives its expiry
belongs to a dead worker: any worker may take the source again. Finishing a capture moves
``next_check_at`` into the future and clears the lease, which is why a source is fetched once per cycle.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from factledger.archive.processes import pid_alive
from factledger.ledger import leases
from factledger.ledger.clock import utcnow
from factledger.ledger.database import Ledger
from factledger.ledger.leases import LeasedSource

__all__ = [
    "DEFAULT_LEASE",
    "LeasedSource",
    "default_worker_name",
    "lease_due_sources",
    "make_due",
    "release_dead_local_leases",
    "renew_leases",
    "waiting_sources",
]

DEFAULT_LEASE = timedelta(minutes=10)


def lease_due_sources(
    ledger: Ledger,
    owner: str,
    limit: int,
    *,
    lease_for: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
    only_ids: list[int] | None = None,
) -> list[LeasedSource]:
    with ledger.write() as session:
        return leases.lease_due(
            session, owner, limit, now=now or utcnow(), lease_for=lease_for, only_ids=only_ids
        )


def renew_leases(
    ledger: Ledger, owner: str, source_ids: list[int], *, lease_for: timedelta = DEFAULT_LEASE
) -> int:
    """Keep the sources a worker is still working on: their leases run ``lease_for`` from now."""
    if not source_ids:
        return 0
    with ledger.write() as session:
        return leases.renew(session, owner, source_ids, utcnow() + lease_for)


def release_leases(ledger: Ledger, owner: str, source_ids: list[int]) -> None:
    """Give back sources a worker leased but will not fetch (it is stopping)."""
    if not source_ids:
        return
    with ledger.write() as session:
        leases.release(session, [owner], source_ids)


def make_due(ledger: Ledger, source_ids: list[int] | None = None, *, now: datetime | None = None) -> int:
    """Schedule sources for the next run (all of them when ``source_ids`` is None)."""
    with ledger.write() as session:
        return leases.schedule_now(session, source_ids, now or utcnow())


def default_worker_name() -> str:
    """``host:pid``: unique on a team, and it lets a worker on the same machine see that one is dead."""
    return f"{socket.gethostname()}:{os.getpid()}"


def release_dead_local_leases(ledger: Ledger, hostname: str) -> int:
    """Free the leases of workers on this machine whose process is gone (killed, crashed): those named
    ``host:pid`` (the default worker name; ``host-pid`` from older versions).

    Leases from other machines cannot be checked this way; they simply expire."""
    dead: list[str] = []
    with ledger.write() as session:
        for separator in (":", "-"):
            prefix = f"{hostname}{separator}"
            dead += [
                owner
                for owner in leases.lease_owners_starting(session, prefix)
                if owner[len(prefix) :].isdigit() and not pid_alive(int(owner[len(prefix) :]))
            ]
        if not dead:
            return 0
        return leases.release(session, dead)


def waiting_sources(ledger: Ledger, *, now: datetime | None = None) -> leases.Waiting:
    """The sources not due yet (how many, and when the soonest is), for a pass that found nothing due."""
    with ledger.read() as session:
        return leases.waiting_sources(session, now or utcnow())
