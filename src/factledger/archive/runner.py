"""One archive pass: lease due sources, fetch them, write WARC + text, record snapshots.

Fetches run concurrently on the event loop (one shared httpx client, see fetch.py). Everything after a
fetch is blocking work (WARC write + fsync, text extraction, the database) and runs on one worker thread
per result through ``asyncio.to_thread``, so the loop keeps fetching meanwhile.

Order of durability, which is what makes a kill -9 harmless: the WARC record is written and fsynced,
the text files are written and fsynced, and only then is the Snapshot committed. A crash before the
commit leaves at worst an unreferenced record (or a partial tail that ``warc.repair`` truncates on the
next start) and a source whose lease expires, so the next run captures it again.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpcore

from factledger.archive.extract import extract_text
from factledger.archive.fetch import Fetcher, FetchLimits, FetchResult
from factledger.archive.guard import AddressPolicy, Resolver
from factledger.archive.health import RecheckPolicy, classify
from factledger.archive.leases import (
    DEFAULT_LEASE,
    LeasedSource,
    lease_due_sources,
    release_dead_local_leases,
    release_leases,
)
from factledger.archive.textstore import TextStore
from factledger.archive.warc import Capture, RevisitTarget, WarcLocation, WarcStore, repair
from factledger.ledger.database import Ledger
from factledger.ledger.models import Snapshot, Source, utcnow
from factledger.ledger.snapshots import CaptureRecord, RecordedCapture, latest_snapshot, record_capture

# Bodies larger than this are archived but not read into memory for text extraction.
MAX_EXTRACT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ArchivePaths:
    warcs: Path
    texts: Path
    scratch: Path

    @classmethod
    def under(cls, home: Path) -> ArchivePaths:
        return cls(warcs=home / "warcs", texts=home / "text", scratch=home / "tmp")


@dataclass(frozen=True)
class RunOptions:
    limit: int | None = None
    fetch: FetchLimits = field(default_factory=FetchLimits)
    allow_private: bool = False
    recheck: RecheckPolicy = field(default_factory=RecheckPolicy)
    lease_for: timedelta = DEFAULT_LEASE
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    max_warc_bytes: int = 1024**3


@dataclass
class RunSummary:
    attempted: int = 0
    ok: int = 0
    failed: int = 0
    failed_by_kind: Counter[str] = field(default_factory=Counter)
    health: Counter[str] = field(default_factory=Counter)
    drift: Counter[str] = field(default_factory=Counter)
    flagged_claims: set[int] = field(default_factory=set)
    repaired: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "attempted": self.attempted,
            "ok": self.ok,
            "failed": self.failed,
            "failed_by_kind": dict(sorted(self.failed_by_kind.items())),
            "health": dict(sorted(self.health.items())),
            "drift": dict(sorted(self.drift.items())),
            "flagged_claims": sorted(self.flagged_claims),
            "repaired": self.repaired,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Progress:
    """What a progress display needs after each source: done so far, and the latest outcome."""

    done: int
    total_known: int
    url: str
    health: str


ProgressCallback = Callable[[Progress], None]
# Called on the worker thread after a capture is committed, with the source id and the outcome. Quote
# verification hooks in here (factledger.verify depends on the archive, not the other way round).
AfterCapture = Callable[[int, RecordedCapture], None]


def _failure_kind(result: FetchResult, health: str) -> str:
    if result.error_kind:
        return result.error_kind
    if health == "gone":
        return "gone"
    return f"http_{result.status}" if result.status else "error"


class _Archiver:
    def __init__(
        self,
        ledger: Ledger,
        actor: str,
        paths: ArchivePaths,
        options: RunOptions,
        after_capture: AfterCapture | None = None,
    ) -> None:
        self.after_capture = after_capture
        self.ledger = ledger
        self.actor = actor
        self.options = options
        self.texts = TextStore(paths.texts)
        self.warcs = WarcStore(paths.warcs, writer_name=options.worker, max_file_bytes=options.max_warc_bytes)

    def store(self, source: LeasedSource, result: FetchResult) -> RecordedCapture:
        """Blocking: WARC, text, then the snapshot commit (in that order; see the module docstring)."""
        try:
            location, revisit, full_ref, title = self._write_payload(source, result)
        finally:
            if result.body_path is not None:
                result.body_path.unlink(missing_ok=True)
        verdict = classify(
            requested_url=source.url,
            final_url=result.final_url,
            status=result.status,
            error_kind=result.error_kind,
            error_message=result.error_message,
        )
        now = utcnow()
        with self.ledger.read() as session:
            current = session.get(Source, source.id)
            failures = (current.consecutive_failures if current else 0) + (1 if verdict.is_failure else 0)
        record = CaptureRecord(
            source_id=source.id,
            fetched_at=result.started_at,
            health=verdict.health,
            health_reason=verdict.reason,
            next_check_at=self.options.recheck.next_check(verdict.health, failures, now),
            http_status=result.status,
            final_url=result.final_url,
            redirect_chain=[
                {"url": h.url, "status": h.status, "location": h.location} for h in result.redirects
            ]
            or None,
            content_type=result.content_type,
            content_length=result.body_length if result.body_path is not None else None,
            payload_sha256=result.payload_sha256 if location is not None else None,
            error_kind=result.error_kind,
            error_message=result.error_message,
            duration_ms=result.duration_ms,
            warc_filename=location.filename if location else None,
            warc_offset=location.offset if location else None,
            warc_length=location.length if location else None,
            is_revisit=revisit,
            full_text_ref=full_ref,
            title=title,
        )
        with self.ledger.write() as session:
            recorded = record_capture(session, self.actor, record)
        if self.after_capture is not None:
            self.after_capture(source.id, recorded)
        return recorded

    def _write_payload(
        self, source: LeasedSource, result: FetchResult
    ) -> tuple[WarcLocation | None, bool, str | None, str | None]:
        if result.body_path is None or result.status is None or result.payload_sha256 is None:
            return None, False, None, None
        capture = Capture(
            target_uri=result.final_url,
            request_method=result.method,
            request_http_version=result.http_version or "HTTP/1.1",
            request_headers=result.request_headers,
            status=result.status,
            reason=result.reason or "",
            http_version=result.http_version or "HTTP/1.1",
            response_headers=result.response_headers,
            payload_path=result.body_path,
            payload_sha256=result.payload_sha256,
            fetched_at=result.started_at,
            peer_ip=result.peer_ip,
        )
        previous = self._previous_capture(source.id)
        if previous is not None and previous.payload_sha256 == result.payload_sha256:
            target = RevisitTarget(uri=previous.final_url or source.url, date=previous.fetched_at)
            location = self.warcs.write_revisit(capture, target)
            # Same bytes, same text: reuse the previous extraction instead of redoing it.
            return location, True, previous.full_text_ref, None
        location = self.warcs.write_capture(capture)
        full_ref, title = self._extract(result)
        return location, False, full_ref, title

    def _previous_capture(self, source_id: int) -> Snapshot | None:
        with self.ledger.read() as session:
            return latest_snapshot(session, source_id)

    def _extract(self, result: FetchResult) -> tuple[str | None, str | None]:
        assert result.body_path is not None
        if result.body_length > MAX_EXTRACT_BYTES:
            return None, None
        extracted = extract_text(
            result.body_path.read_bytes(), result.response_headers, url=result.final_url, main_text=False
        )
        if not extracted.full_text:
            return None, extracted.title
        return self.texts.put(extracted.full_text), extracted.title

    def close(self) -> None:
        self.warcs.close()


async def run_archive(
    ledger: Ledger,
    actor: str,
    paths: ArchivePaths,
    options: RunOptions,
    *,
    resolver: Resolver | None = None,
    network_backend: httpcore.AsyncNetworkBackend | None = None,
    on_progress: ProgressCallback | None = None,
    after_capture: AfterCapture | None = None,
) -> RunSummary:
    """Capture every due source (up to ``options.limit``), then return what happened."""
    started = time.monotonic()
    summary = RunSummary(
        repaired=await asyncio.to_thread(repair, paths.warcs) if paths.warcs.exists() else []
    )
    # A worker killed on this machine left leases behind; free them now instead of at their expiry.
    await asyncio.to_thread(release_dead_local_leases, ledger, socket.gethostname())
    archiver = _Archiver(ledger, actor, paths, options, after_capture)
    batch_size = max(1, options.fetch.concurrency * 2)
    try:
        async with Fetcher(
            options.fetch,
            AddressPolicy(allow_private=options.allow_private),
            temp_dir=paths.scratch,
            resolver=resolver,
            network_backend=network_backend,
        ) as fetcher:
            while options.limit is None or summary.attempted < options.limit:
                wanted = (
                    batch_size
                    if options.limit is None
                    else min(batch_size, options.limit - summary.attempted)
                )
                leased = await asyncio.to_thread(
                    lease_due_sources, ledger, options.worker, wanted, lease_for=options.lease_for
                )
                if not leased:
                    break
                await _run_batch(fetcher, archiver, leased, summary, on_progress, options.worker, ledger)
    finally:
        archiver.close()
    summary.seconds = time.monotonic() - started
    return summary


async def _run_batch(
    fetcher: Fetcher,
    archiver: _Archiver,
    leased: list[LeasedSource],
    summary: RunSummary,
    on_progress: ProgressCallback | None,
    worker: str,
    ledger: Ledger,
) -> None:
    async def one(source: LeasedSource) -> None:
        result = await fetcher.fetch(source.url)
        recorded = await asyncio.to_thread(archiver.store, source, result)
        health = recorded.health.value
        summary.attempted += 1
        summary.health[health] += 1
        summary.drift[recorded.drift] += 1
        summary.flagged_claims.update(recorded.flagged_claim_ids)
        if health in ("ok", "redirected"):
            summary.ok += 1
        else:
            summary.failed += 1
            summary.failed_by_kind[_failure_kind(result, health)] += 1
        if on_progress is not None:
            on_progress(Progress(summary.attempted, summary.attempted, source.url, health))

    tasks = [asyncio.create_task(one(source)) for source in leased]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        # Sources not recorded go back to the pool now rather than when their lease expires.
        await asyncio.to_thread(release_leases, ledger, worker, [s.id for s in leased])
        raise
