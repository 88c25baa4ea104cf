"""One archive pass: lease due sources, fetch them, write WARC + text, record snapshots.

Three stages run at once:
- fetch: ``concurrency`` tasks on the event loop share one httpx client (fetch.py); a dispatcher hands
  each the next leased source whose host has room, so per-host limits never idle the others;
- prepare: WARC records are built and compressed and the text extracted in worker processes
  (prepare.py), off the event loop and outside the GIL;
- commit: one writer appends a group of finished captures to the WARC file, fsyncs once, makes the
  group's texts durable at once, and records their snapshots in one transaction.

Order of durability, which is what makes a kill -9 harmless: the WARC record is written and fsynced,
the group's text files are flushed to disk (TextStore.make_durable), and only then is the Snapshot
committed. A crash before the commit leaves at worst an unreferenced record (or a partial tail that ``warc.repair`` truncates on the
next start) and a source whose lease expires, so the next run captures it again.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpcore
from sqlalchemy import func, select

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
from factledger.archive.prepare import Prepared, PrepareJob, TextHook, prepare_capture
from factledger.archive.textstore import TextStore
from factledger.archive.warc import Capture, RevisitTarget, WarcLocation, WarcStore, repair
from factledger.ledger.database import Ledger
from factledger.ledger.models import Snapshot, utcnow
from factledger.ledger.snapshots import CaptureRecord, PreviousCapture, RecordedCapture, record_captures

COMMIT_GROUP = 64  # captures appended and fsynced together, then recorded in one transaction
PROCESS_POOL_THRESHOLD = 16  # fewer due sources than this: worker processes cost more than they save


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
    only_source_ids: tuple[int, ...] | None = None  # capture just these (if due), e.g. `ingest URL`
    processes: int | None = None  # worker processes for preparing captures; None: one per CPU


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
# Runs on the committer's thread once a group of captures is committed, with their outcomes.
AfterCommit = Callable[[Sequence[RecordedCapture]], None]
# Which of these leased sources' new texts ``on_new_text`` should see (asked once per lease batch).
TextWanted = Callable[[Sequence[int]], Collection[int]]


@dataclass(frozen=True)
class CaptureHooks:
    """How later stages plug into every capture. Quote verification does (factledger.verify depends on
    the archive, not the other way round): it normalizes each new text where the text is made, and
    re-checks the quotes of a committed group's sources in one pass."""

    on_new_text: TextHook | None = None
    text_wanted: TextWanted | None = None  # None: every new text
    after_commit: AfterCommit | None = None


def _failure_kind(result: FetchResult, health: str) -> str:
    if result.error_kind:
        return result.error_kind
    if health == "gone":
        return "gone"
    return f"http_{result.status}" if result.status else "error"


@dataclass(frozen=True)
class _Prior:
    """The latest capture with a payload: for revisit records and drift."""

    payload_sha256: str
    uri: str
    fetched_at: datetime
    full_text_ref: str | None


@dataclass
class _Finished:
    source: LeasedSource
    result: FetchResult
    prepared: Prepared | None
    prior: _Prior | None
    revisit: bool


def _priors(ledger: Ledger, source_ids: list[int]) -> dict[int, _Prior]:
    if not source_ids:
        return {}
    with ledger.read() as session:
        latest = (
            select(func.max(Snapshot.id))
            .where(Snapshot.source_id.in_(source_ids), Snapshot.payload_sha256.is_not(None))
            .group_by(Snapshot.source_id)
        )
        rows = session.scalars(select(Snapshot).where(Snapshot.id.in_(latest))).all()
    return {
        row.source_id: _Prior(
            row.payload_sha256 or "", row.final_url or "", row.fetched_at, row.full_text_ref
        )
        for row in rows
    }


def _capture_of(result: FetchResult) -> Capture | None:
    if result.body_path is None or result.status is None or result.payload_sha256 is None:
        return None
    return Capture(
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


class _Dispatcher:
    """Hands out leased sources so that no host gets more than ``per_host`` at once, leasing more as
    the pool runs low. One lease at a time; ``None`` once nothing is due (or the limit is reached)."""

    def __init__(self, ledger: Ledger, options: RunOptions, text_wanted: TextWanted | None) -> None:
        self.ledger = ledger
        self.options = options
        self.text_wanted = text_wanted
        self.wants_text: set[int] = set()  # sources whose new text goes to the text hook
        self.uncommitted: set[int] = set()  # leased by this run, capture not committed yet
        self.pending: dict[str, deque[LeasedSource]] = {}
        self.in_flight: Counter[str] = Counter()
        self.priors: dict[int, _Prior] = {}
        self.leased_total = 0
        self.first_lease_size: int | None = None
        self.exhausted = False
        self._leasing = False
        self._changed = asyncio.Condition()
        self._rotation = 0
        self.failure: BaseException | None = None

    @property
    def pending_count(self) -> int:
        return sum(len(queue) for queue in self.pending.values())

    def _window(self) -> int:
        window = max(32, self.options.fetch.concurrency * 8)
        if self.options.limit is not None:
            window = min(window, self.options.limit - self.leased_total)
        return window

    async def _refill(self) -> None:
        try:
            await self._lease_more()
        except BaseException as exc:
            # Whoever waits in next() must hear of it, or the run would wait forever.
            async with self._changed:
                self.failure = exc
                self._leasing = False
                self._changed.notify_all()
            if not isinstance(exc, Exception):
                raise

    async def _lease_more(self) -> None:
        window = self._window()
        leased: list[LeasedSource] = []
        if window > 0:
            only = list(self.options.only_source_ids) if self.options.only_source_ids is not None else None
            leased = await asyncio.to_thread(
                lease_due_sources,
                self.ledger,
                self.options.worker,
                window,
                lease_for=self.options.lease_for,
                only_ids=only,
            )
            ids = [source.id for source in leased]
            self.priors.update(await asyncio.to_thread(_priors, self.ledger, ids))
            wanted = ids if self.text_wanted is None else await asyncio.to_thread(self.text_wanted, ids)
            self.wants_text.update(wanted)
        async with self._changed:
            if self.first_lease_size is None:
                self.first_lease_size = len(leased)
            self.leased_total += len(leased)
            self.uncommitted.update(source.id for source in leased)
            for source in leased:
                self.pending.setdefault(source.domain or source.url, deque()).append(source)
            if not leased:
                self.exhausted = True
            self._leasing = False
            self._changed.notify_all()

    def _pick(self) -> LeasedSource | None:
        hosts = [host for host, queue in self.pending.items() if queue]
        for offset in range(len(hosts)):
            host = hosts[(self._rotation + offset) % len(hosts)]
            if self.in_flight[host] < self.options.fetch.per_host:
                self._rotation += offset + 1
                self.in_flight[host] += 1
                return self.pending[host].popleft()
        return None

    async def next(self) -> LeasedSource | None:
        async with self._changed:
            while True:
                if self.failure is not None:
                    raise self.failure
                if (
                    not self._leasing
                    and not self.exhausted
                    and self.pending_count < self.options.fetch.concurrency * 2
                ):
                    self._leasing = True
                    asyncio.get_running_loop().create_task(self._refill())
                source = self._pick()
                if source is not None:
                    return source
                if self.exhausted and self.pending_count == 0:
                    return None
                await self._changed.wait()

    async def done(self, source: LeasedSource) -> None:
        async with self._changed:
            self.in_flight[source.domain or source.url] -= 1
            self._changed.notify_all()


class _Committer:
    """Appends finished captures to this run's WARC file and records them, a group at a time."""

    def __init__(
        self,
        ledger: Ledger,
        actor: str,
        paths: ArchivePaths,
        options: RunOptions,
        after_commit: AfterCommit | None,
    ) -> None:
        self.ledger = ledger
        self.actor = actor
        self.options = options
        self.after_commit = after_commit
        self.warcs = WarcStore(paths.warcs, writer_name=options.worker, max_file_bytes=options.max_warc_bytes)
        self.texts = TextStore(paths.texts)

    def commit(self, group: list[_Finished]) -> list[RecordedCapture]:
        """Blocking: WARC append, one fsync, then the snapshot rows (see the module docstring)."""
        try:
            locations = [
                self.warcs.append_built(item.prepared.built.data, item.prepared.built.response_length)
                if item.prepared is not None
                else None
                for item in group
            ]
            self.warcs.sync()
            self.texts.make_durable(
                item.prepared.full_text_ref for item in group if item.prepared and item.prepared.full_text_ref
            )
        finally:
            for item in group:
                if item.result.body_path is not None:
                    item.result.body_path.unlink(missing_ok=True)
        records = [self._record(item, location) for item, location in zip(group, locations, strict=True)]
        with self.ledger.write() as session:
            recorded = record_captures(session, self.actor, records)
        if self.after_commit is not None:
            self.after_commit(recorded)
        return recorded

    def _record(self, item: _Finished, location: WarcLocation | None) -> CaptureRecord:
        result, source = item.result, item.source
        verdict = classify(
            requested_url=source.url,
            final_url=result.final_url,
            status=result.status,
            error_kind=result.error_kind,
            error_message=result.error_message,
        )
        failures = source.consecutive_failures + 1 if verdict.is_failure else 0
        revisit = item.revisit
        if revisit and item.prior is not None:
            full_text_ref = item.prior.full_text_ref  # same bytes, same text: no second extraction
        else:
            full_text_ref = item.prepared.full_text_ref if item.prepared else None
        return CaptureRecord(
            source_id=source.id,
            fetched_at=result.started_at,
            health=verdict.health,
            health_reason=verdict.reason,
            next_check_at=self.options.recheck.next_check(verdict.health, failures, utcnow()),
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
            full_text_ref=full_text_ref,
            title=item.prepared.title if item.prepared else None,
            previous=PreviousCapture(item.prior.payload_sha256, item.prior.full_text_ref)
            if item.prior
            else None,
            previous_known=True,
        )

    def close(self) -> None:
        self.warcs.close()


def _pool(options: RunOptions, due: int) -> Executor:
    if due < PROCESS_POOL_THRESHOLD or options.processes == 0:
        return ThreadPoolExecutor(max_workers=2)
    # spawn, not fork: this process has threads (asyncio, SQLite) that a fork would copy mid-flight.
    workers = options.processes or os.cpu_count() or 1
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


class _Pipeline:
    """The three stages of one run, once the first source is leased: fetch workers, preparing (in the
    executor) and the committer. All run in one TaskGroup, so a failure anywhere stops the rest."""

    def __init__(
        self,
        fetcher: Fetcher,
        dispatcher: _Dispatcher,
        committer: _Committer,
        executor: Executor,
        texts: Path,
        hooks: CaptureHooks,
        summary: RunSummary,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.fetcher = fetcher
        self.dispatcher = dispatcher
        self.committer = committer
        self.executor = executor
        self.texts = texts
        self.hooks = hooks
        self.summary = summary
        self.on_progress = on_progress
        self.finished: asyncio.Queue[_Finished | None] = asyncio.Queue(maxsize=COMMIT_GROUP * 4)
        # A fetch slot (and its host's) is freed as soon as the response is on disk; preparing and
        # committing the capture goes on beside the next fetches. ``preparing`` bounds the captures fetched
        # but not yet handed to the committer, so a slow prepare stage holds the fetches back instead of
        # piling payload files up in the scratch directory.
        self.preparing = asyncio.Semaphore(dispatcher.options.fetch.concurrency * 2)

    async def run(self, first: LeasedSource) -> None:
        try:
            async with asyncio.TaskGroup() as stages:
                stages.create_task(self._commit_loop())
                stages.create_task(self._fetch_all(first))
        except BaseExceptionGroup as group:
            raise _first_cause(group) from None

    async def _fetch_all(self, first: LeasedSource) -> None:
        async with asyncio.TaskGroup() as fetching:
            for n in range(self.dispatcher.options.fetch.concurrency):
                fetching.create_task(self._fetch_worker(fetching, first if n == 0 else None))
        await self.finished.put(None)  # every capture is queued: the committer ends after the last

    async def _fetch_worker(self, fetching: asyncio.TaskGroup, source: LeasedSource | None) -> None:
        while True:
            await self.preparing.acquire()
            if source is None:
                source = await self.dispatcher.next()
            if source is None:
                self.preparing.release()
                return
            try:
                result = await self.fetcher.fetch(source.url)
            except BaseException:
                self.preparing.release()
                raise
            finally:
                await self.dispatcher.done(source)
            fetching.create_task(self._finish(source, result))  # it releases ``preparing``
            source = None

    async def _finish(self, source: LeasedSource, result: FetchResult) -> None:
        try:
            prior = self.dispatcher.priors.get(source.id)
            capture = _capture_of(result)
            prepared = None
            revisit = False
            if capture is not None:
                refers_to = (
                    RevisitTarget(uri=prior.uri or source.url, date=prior.fetched_at)
                    if prior is not None and prior.payload_sha256 == result.payload_sha256
                    else None
                )
                revisit = refers_to is not None
                text_hook = self.hooks.on_new_text if source.id in self.dispatcher.wants_text else None
                job = PrepareJob(capture, refers_to, self.texts, result.final_url, text_hook)
                loop = asyncio.get_running_loop()
                prepared = await loop.run_in_executor(self.executor, prepare_capture, job)
            await self.finished.put(_Finished(source, result, prepared, prior, revisit))
        finally:
            self.preparing.release()

    async def _commit_loop(self) -> None:
        done = False
        while not done:
            item = await self.finished.get()
            if item is None:
                break
            group = [item]
            while len(group) < COMMIT_GROUP and not self.finished.empty():
                extra = self.finished.get_nowait()
                if extra is None:
                    done = True
                    break
                group.append(extra)
            recorded = await asyncio.to_thread(self.committer.commit, group)
            self.dispatcher.uncommitted.difference_update(entry.source.id for entry in group)
            for entry, outcome in zip(group, recorded, strict=True):
                _count(self.summary, entry, outcome)
                if self.on_progress is not None:
                    progress = Progress(
                        self.summary.attempted,
                        self.dispatcher.leased_total,
                        entry.source.url,
                        outcome.health.value,
                    )
                    self.on_progress(progress)


def _first_cause(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The exception that stopped the pipeline (the others are the cancellations it caused)."""
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            return _first_cause(exc)
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return group.exceptions[0]


async def run_archive(
    ledger: Ledger,
    actor: str,
    paths: ArchivePaths,
    options: RunOptions,
    *,
    resolver: Resolver | None = None,
    network_backend: httpcore.AsyncNetworkBackend | None = None,
    on_progress: ProgressCallback | None = None,
    hooks: CaptureHooks | None = None,
) -> RunSummary:
    """Capture every due source (up to ``options.limit``), then return what happened."""
    started = time.monotonic()
    summary = RunSummary(
        repaired=await asyncio.to_thread(repair, paths.warcs) if paths.warcs.exists() else []
    )
    # A worker killed on this machine left leases behind; free them now instead of at their expiry.
    await asyncio.to_thread(release_dead_local_leases, ledger, socket.gethostname())
    paths.texts.mkdir(parents=True, exist_ok=True)
    hooks = hooks or CaptureHooks()
    dispatcher = _Dispatcher(ledger, options, hooks.text_wanted)
    committer = _Committer(ledger, actor, paths, options, hooks.after_commit)
    executor: Executor | None = None
    try:
        async with Fetcher(
            options.fetch,
            AddressPolicy(allow_private=options.allow_private),
            temp_dir=paths.scratch,
            resolver=resolver,
            network_backend=network_backend,
        ) as fetcher:
            first = await dispatcher.next()
            if first is not None:
                executor = _pool(options, dispatcher.first_lease_size or 0)
                pipeline = _Pipeline(
                    fetcher, dispatcher, committer, executor, paths.texts, hooks, summary, on_progress
                )
                await pipeline.run(first)
    finally:
        if dispatcher.uncommitted:  # a failed run: back to the pool now rather than when the leases expire
            await asyncio.to_thread(release_leases, ledger, options.worker, sorted(dispatcher.uncommitted))
        committer.close()
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    summary.seconds = time.monotonic() - started
    return summary


def _count(summary: RunSummary, item: _Finished, recorded: RecordedCapture) -> None:
    health = recorded.health.value
    summary.attempted += 1
    summary.health[health] += 1
    summary.drift[recorded.drift] += 1
    summary.flagged_claims.update(recorded.flagged_claim_ids)
    if health in ("ok", "redirected"):
        summary.ok += 1
    else:
        summary.failed += 1
        summary.failed_by_kind[_failure_kind(item.result, health)] += 1
