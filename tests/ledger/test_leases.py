"""What "due" means, on both engines: the check time has come and no live lease holds the source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from factledger.ledger import leases
from factledger.ledger.database import Ledger
from factledger.ledger.sources import get_or_create_source

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)


def _sources(ledger: Ledger, count: int) -> list[int]:
    with ledger.write() as session:
        ids = [get_or_create_source(session, f"https://example.org/{n}").id for n in range(count)]
        leases.schedule_now(session, ids, NOW)
    return ids


def test_due_sources_are_leased_once_until_the_lease_expires(ledger: Ledger) -> None:
    first, second, later = _sources(ledger, 3)
    with ledger.write() as session:
        leases.schedule_now(session, [later], NOW + timedelta(days=1))
        taken = leases.lease_due(session, "w1", 10, now=NOW, lease_for=LEASE)
    assert sorted(source.id for source in taken) == [first, second]
    with ledger.write() as session:
        assert leases.lease_due(session, "w2", 10, now=NOW + LEASE / 2, lease_for=LEASE) == []
        # An expired lease belongs to a dead worker: the source is due again.
        again = leases.lease_due(session, "w2", 10, now=NOW + LEASE * 2, lease_for=LEASE)
    assert sorted(source.id for source in again) == [first, second]


def test_release_frees_only_the_owners_leases(ledger: Ledger) -> None:
    first, second = _sources(ledger, 2)
    with ledger.write() as session:
        leases.lease_due(session, "w1", 1, now=NOW, lease_for=LEASE, only_ids=[first])
        leases.lease_due(session, "w2", 1, now=NOW, lease_for=LEASE, only_ids=[second])
        assert sorted(leases.lease_owners_starting(session, "w")) == ["w1", "w2"]
        assert leases.release(session, ["w1"]) == 1
        retaken = leases.lease_due(session, "w3", 10, now=NOW, lease_for=LEASE)
    assert [source.id for source in retaken] == [first]
