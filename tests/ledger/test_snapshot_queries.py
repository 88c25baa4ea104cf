"""Which capture is "latest", on both engines: the greatest (fetched_at, id), not the greatest id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from factledger.ledger.database import Ledger
from factledger.ledger.snapshot_queries import (
    get_snapshot,
    latest_snapshot,
    latest_text_snapshots,
    payload_holder,
    previous_captures,
)
from factledger.ledger.snapshots import CaptureRecord, record_captures
from factledger.ledger.sources import get_or_create_source
from factledger.ledger.statuses import SourceHealth

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _source(ledger: Ledger, url: str) -> int:
    with ledger.write() as session:
        return get_or_create_source(session, url).id


def _capture(
    ledger: Ledger,
    source_id: int,
    at: datetime,
    digest: str | None,
    *,
    status: int = 200,
    text: str | None = "ref",
    revisit: bool = False,
) -> int:
    record = CaptureRecord(
        source_id=source_id,
        fetched_at=at,
        health=SourceHealth.OK if status < 400 else SourceHealth.GONE,
        health_reason=None,
        next_check_at=at + timedelta(days=1),
        http_status=status,
        final_url=f"https://example.org/{digest}",
        payload_sha256=digest,
        full_text_ref=text,
        warc_filename=None if revisit or digest is None else "a.warc.gz",
        warc_offset=None if revisit or digest is None else 0,
        warc_length=None if revisit or digest is None else 10,
        is_revisit=revisit,
    )
    with ledger.write() as session:
        return record_captures(session, "archiver", [record])[0].snapshot.id


def test_latest_is_latest_in_time_even_when_inserted_first(ledger: Ledger) -> None:
    """A capture committed later with an earlier fetch time (a slower worker, an import) is not the
    latest; the one fetched last is, whatever its id."""
    source = _source(ledger, "https://example.org/page")
    newest = _capture(ledger, source, T0 + timedelta(hours=2), "b" * 64, text="new")
    older = _capture(ledger, source, T0, "a" * 64, text="old")
    assert older > newest  # inserted after it
    with ledger.read() as session:
        assert previous_captures(session, [source])[source].payload_sha256 == "b" * 64
        assert previous_captures(session, [source])[source].fetched_at == T0 + timedelta(hours=2)
        latest = latest_snapshot(session, source)
        assert latest is not None
        assert latest.id == newest
        assert latest_text_snapshots(session, [source])[source].id == newest


def test_same_time_captures_fall_back_to_insertion_order(ledger: Ledger) -> None:
    source = _source(ledger, "https://example.org/same-time")
    _capture(ledger, source, T0, "a" * 64)
    second = _capture(ledger, source, T0, "b" * 64)
    with ledger.read() as session:
        assert previous_captures(session, [source])[source].payload_sha256 == "b" * 64
        assert latest_text_snapshots(session, [source])[source].id == second


def test_each_meaning_skips_what_it_must(ledger: Ledger) -> None:
    """The previous capture needs a payload; the text that quotes are checked against needs a 2xx
    capture with text. A later failure or error page does not hide the capture before it."""
    source = _source(ledger, "https://example.org/gone-later")
    good = _capture(ledger, source, T0, "a" * 64)
    error_page = _capture(ledger, source, T0 + timedelta(hours=1), "e" * 64, status=404, text="404 page")
    failed = _capture(ledger, source, T0 + timedelta(hours=2), None, status=0, text=None)
    never = _source(ledger, "https://example.org/never")
    with ledger.read() as session:
        assert previous_captures(session, [source, never]).keys() == {source}
        assert previous_captures(session, [source])[source].payload_sha256 == "e" * 64
        assert latest_text_snapshots(session, [source, never]).keys() == {source}
        assert latest_text_snapshots(session, [source])[source].id == good
        any_latest = latest_snapshot(session, source, with_payload=False)
        assert any_latest is not None
        assert any_latest.id == failed
        with_payload = latest_snapshot(session, source)
        assert with_payload is not None
        assert with_payload.id == error_page


def test_a_revisit_reads_its_payload_from_the_first_full_capture(ledger: Ledger) -> None:
    source = _source(ledger, "https://example.org/unchanged")
    original = _capture(ledger, source, T0, "a" * 64)
    revisit = _capture(ledger, source, T0 + timedelta(days=1), "a" * 64, revisit=True)
    with ledger.read() as session:
        assert payload_holder(session, get_snapshot(session, revisit)).id == original
        assert payload_holder(session, get_snapshot(session, original)).id == original
