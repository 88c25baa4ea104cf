"""record_captures on both engines: the snapshot rows and source updates it writes with Core statements,
read back through the ORM, and what a group holding the same source twice sees."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta

import pytest

from factledger.ledger.database import Ledger
from factledger.ledger.models import Source
from factledger.ledger.snapshot_queries import get_snapshot
from factledger.ledger.snapshots import CaptureRecord, record_captures
from factledger.ledger.sources import get_or_create_source
from factledger.ledger.statuses import SourceHealth

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _record(source_id: int, at: datetime, **changes: object) -> CaptureRecord:
    record = CaptureRecord(
        source_id=source_id,
        fetched_at=at,
        health=SourceHealth.OK,
        health_reason=None,
        next_check_at=at + timedelta(days=1),
        http_status=200,
        final_url="https://example.org/moved",
        redirect_chain=[{"url": "https://example.org/a", "status": 301, "location": "/moved"}],
        content_type="text/html",
        content_length=123,
        payload_sha256="a" * 64,
        duration_ms=40,
        warc_filename="one.warc.gz",
        warc_offset=0,
        warc_length=99,
        full_text_ref="b" * 64,
        title="A title",
        previous=None,
        previous_known=True,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def test_the_snapshot_it_returns_is_the_row_it_wrote(ledger: Ledger) -> None:
    with ledger.write() as session:
        source_id = get_or_create_source(session, "https://example.org/a").id
    with ledger.write() as session:
        [recorded] = record_captures(session, "archiver", [_record(source_id, T0)])
    with ledger.read() as session:
        row = get_snapshot(session, recorded.snapshot.id)
        stored = {name: getattr(row, name) for name in asdict(recorded.snapshot)}
    assert stored == asdict(recorded.snapshot)
    assert stored["redirect_chain"] == [{"url": "https://example.org/a", "status": 301, "location": "/moved"}]
    assert stored["drift"] == "first"


def test_the_source_update_keeps_what_a_capture_does_not_say(ledger: Ledger) -> None:
    with ledger.write() as session:
        source = get_or_create_source(session, "https://example.org/a")
        source.final_url, source.title = "https://example.org/earlier", "Kept title"
        source.lease_owner, source.lease_expires_at = "worker-1", T0
        source_id = source.id
    with ledger.write() as session:
        loaded = session.get(Source, source_id)  # held by the caller's session across the call
        assert loaded is not None
        assert loaded.health == "unknown"
        record_captures(session, "archiver", [_record(source_id, T0, final_url=None, title="New title")])
        # The Core update expired it: it reads the row as written, not what it held.
        assert (loaded.health, loaded.last_checked_at) == ("ok", T0)
    with ledger.read() as session:
        stored = session.get(Source, source_id)
        assert stored is not None
        assert (stored.final_url, stored.title) == ("https://example.org/earlier", "Kept title")
        assert (stored.lease_owner, stored.lease_expires_at) == (None, None)
        assert stored.next_check_at == T0 + timedelta(days=1)


def test_one_source_twice_in_a_group_sees_its_first_capture(ledger: Ledger) -> None:
    with ledger.write() as session:
        source_id = get_or_create_source(session, "https://example.org/a").id
    gone = _record(
        source_id,
        T0,
        health=SourceHealth.GONE,
        health_reason="404",
        http_status=404,
        title=None,
        previous_known=False,
    )
    again = _record(
        source_id,
        T0 + timedelta(hours=1),
        health=SourceHealth.GONE,
        health_reason="404",
        http_status=404,
        previous_known=False,
    )
    back = _record(
        source_id,
        T0 + timedelta(hours=2),
        payload_sha256="c" * 64,
        full_text_ref="d" * 64,
        previous_known=False,
    )
    with ledger.write() as session:
        first, second, third = record_captures(session, "archiver", [gone, again, back])
    assert (first.previous_health, second.previous_health, third.previous_health) == (
        SourceHealth.UNKNOWN,
        SourceHealth.GONE,
        SourceHealth.GONE,
    )
    assert (first.drift, second.drift, third.drift) == ("first", "same_digest", "changed_text")
    assert first.snapshot.id < second.snapshot.id < third.snapshot.id
    with ledger.read() as session:
        source = session.get(Source, source_id)
        assert source is not None
        assert (source.health, source.consecutive_failures, source.title) == ("ok", 0, "A title")
    with ledger.write() as session:
        [failed] = record_captures(session, "archiver", [replace(gone, fetched_at=T0 + timedelta(hours=3))])
        [failed_again] = record_captures(
            session, "archiver", [replace(gone, fetched_at=T0 + timedelta(hours=4))]
        )
    with ledger.read() as session:
        source = session.get(Source, source_id)
        assert source is not None
        assert source.consecutive_failures == 2
    assert failed.previous_health is SourceHealth.OK
    assert failed_again.previous_health is SourceHealth.GONE


def test_a_group_mixing_known_and_looked_up_previous_captures_keeps_its_order(ledger: Ledger) -> None:
    # The archiver passes every previous capture; a caller that does not (previous_known=False) must
    # still see the group's earlier captures of its source, whichever way they came in.
    with ledger.write() as session:
        source_id = get_or_create_source(session, "https://example.org/a").id
    known = _record(source_id, T0)
    looked_up = _record(source_id, T0 + timedelta(hours=1), previous_known=False)
    again = _record(source_id, T0 + timedelta(hours=2), payload_sha256="e" * 64, full_text_ref="f" * 64)
    with ledger.write() as session:
        first, second, third = record_captures(session, "archiver", [known, looked_up, again])
    assert (first.drift, second.drift) == ("first", "same_digest")
    assert third.drift == "first"  # previous_known: the caller's word (no earlier capture) is taken
    assert first.snapshot.id < second.snapshot.id < third.snapshot.id
    with ledger.read() as session:
        assert [get_snapshot(session, r.snapshot.id).fetched_at for r in (first, second, third)] == [
            T0,
            T0 + timedelta(hours=1),
            T0 + timedelta(hours=2),
        ]
