"""One archive pass: lease due sources, fetch them, write WARC + text, record snapshots.

Three stages run at once:
- fetch: ``concurrency`` tasks on the event loop share one httpx client (fetch.py); a dispatcher
  (dispatch.py) hands each the next leased source whose host has room, so per-host limits never idle
  the others;
- prepare: WARC records are built and compressed and the text extracted in worker processes
  (prepare.py), off the event loop and outside the GIL;
- commit: one writer appends a group of finished captures to the WARC file, fsyncs once, makes the
  group's texts durable at once, and records their snapshots in one transaction (commit.py).

A crash before a group's commit leaves at worst unreferenced records (or a partial tail that
``warc.repair`` truncates on the next start) and sources whose leases expire, so the next run captures
them again. What a run is given (paths, limits, hooks) is in options.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import httpcore

from factledger.archive.commit import Committer, Finished
from factledger.archive.dispatch import Dispatcher
from factledger.archive.fetch import Fetcher, FetchResult
from factledger.archive.fetch_response import sweep_payloads
from factledger.archive.fetch_types import CAPTURES_IN_FLIGHT_PER_SLOT
from factledger.archive.guard import AddressPolicy, Resolver
from factledger.archive.leases import (
    LeasedSource,
    make_due,
    release_dead_local_leases,
    release_leases,
    renew_leases,
)
from factledger.archive.mementos import url_to_fetch
from factledger.archive.objects import LocalObjects
from factledger.archive.options import (
    AfterCommit,
    ArchivePaths,
    CaptureHooks,
    Progress,
    ProgressCallback,
    RunOptions,
    TextWanted,
)
from factledger.archive.prepare import Prepared, PrepareJob, prepare_capture
from factledger.archive.prepare_pool import PreparePool, PrepareTimeoutError
from factledger.archive.warc.records import HttpExchange, RevisitTarget
from factledger.archive.warc.repair import repair, trim_uncommitted
from factledger.ledger.database import Ledger
from factledger.ledger.snapshots import RecordedCapture
from factledger.ledger.statuses import EXTRACT_ERROR_KINDS, SourceHealth
from factledger.ledger.store_queries import committed_record_ends

__all__ = [
    "AfterCommit",
    "ArchivePaths",
    "CaptureHooks",
    "Progress",
    "ProgressCallback",
    "RunOptions",
    "RunSummary",
    "TextWanted",
    "capture_sources",
    "run_archive",
]

COMMIT_GROUP = 64  # captures appended and fsynced together, then recorded in one transaction
# How long the first capture of a group may wait for others to join it. A group costs a fixed few
# milliseconds of the process's one GIL (its transactions and their statements, the fsync's bookkeeping,
# the quote checks' queries) whatever its size; committing whatever was queued the moment the last group
# ended made groups of one to five captures at a few hundred pages a second, and that fixed cost then
# took the time the event loop needed for fetching. The run's last group goes at once.
COMMIT_WAIT = 0.1  # seconds
PROCESS_POOL_THRESHOLD = 16  # fewer due sources than this: worker processes cost more than they save


@dataclass
class RunSummary:
    attempted: int = 0
    ok: int = 0
    failed: int = 0
    # Refused by our own address guard (a private address without --allow-private): not a failure of the
    # source, so neither counted as failed nor flagging any claim.
    refused: int = 0
    failed_by_kind: Counter[str] = field(default_factory=Counter)
    health: Counter[str] = field(default_factory=Counter)
    drift: Counter[str] = field(default_factory=Counter)
    flagged_claims: set[int] = field(default_factory=set)
    unflagged_claims: set[int] = field(default_factory=set)
    # Pages fetched but archived without text, by why (extract_limit, extract_error): counted in ``ok``.
    no_text: Counter[str] = field(default_factory=Counter)
    repaired: list[str] = field(default_factory=list)
    seconds: float = 0.0
    leased: int = 0
    lease_renewals: int = 0
    lease_renewal_failures: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "attempted": self.attempted,
            "ok": self.ok,
            "failed": self.failed,
            "refused": self.refused,
            "failed_by_kind": dict(sorted(self.failed_by_kind.items())),
            "health": dict(sorted(self.health.items())),
            "drift": dict(sorted(self.drift.items())),
            "flagged_claims": sorted(self.flagged_claims),
            "unflagged_claims": sorted(self.unflagged_claims),
            "no_text": dict(sorted(self.no_text.items())),
            "repaired": self.repaired,
            "seconds": round(self.seconds, 3),
            "leased": self.leased,
            "lease_renewals": self.lease_renewals,
        }


def _failure_kind(result: FetchResult, health: str) -> str:
    if result.error_kind:
        return result.error_kind
    if health == "gone":
        return "gone"
    return f"http_{result.status}" if result.status else "error"


def _capture_of(result: FetchResult) -> HttpExchange | None:
    if result.body is None or result.status is None:
        return None
    return HttpExchange(
        target_uri=result.final_url,
        request_method=result.method,
        request_http_version=result.http_version or "HTTP/1.1",
        request_headers=result.request_headers,
        status=result.status,
        reason=result.reason or "",
        http_version=result.http_version or "HTTP/1.1",
        response_headers=result.response_headers,
        payload=result.body,
        fetched_at=result.started_at,
        peer_ip=result.peer_ip,
    )


def _pool(options: RunOptions, due: int) -> Executor:
    if options.processes == 0 or (options.processes is None and due < PROCESS_POOL_THRESHOLD):
        return ThreadPoolExecutor(max_workers=2)
    # Spawned worker processes (not forked: this process has threads, asyncio's and SQLite's, that a
    # fork would copy mid-flight), each job under the extraction's CPU bound.
    workers = options.processes or os.cpu_count() or 1
    return PreparePool(workers, options.extract_limits.cpu_seconds)


class _Pipeline:
    """The three stages of one run, once the first source is leased: fetch workers, preparing (in the
    executor) and the committer. All run in one TaskGroup, so a failure anywhere stops the rest."""

    def __init__(
        self,
        fetcher: Fetcher,
        dispatcher: Dispatcher,
        committer: Committer,
        executor: Executor,
        paths: ArchivePaths,
        hooks: CaptureHooks,
        summary: RunSummary,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.fetcher = fetcher
        self.dispatcher = dispatcher
        self.committer = committer
        self.executor = executor
        self.paths = paths
        self.hooks = hooks
        self.summary = summary
        self.on_progress = on_progress
        self.limits = dispatcher.options.extract_limits
        self.finished: asyncio.Queue[Finished | None] = asyncio.Queue(maxsize=COMMIT_GROUP * 4)
        # A fetch slot (and its host's) is freed as soon as the response is on disk; preparing and
        # committing the capture goes on beside the next fetches. ``preparing`` bounds the captures fetched
        # but not yet handed to the committer, so a slow prepare stage holds the fetches back instead of
        # piling payload files up in the scratch directory.
        self.preparing = asyncio.Semaphore(dispatcher.options.fetch.concurrency * CAPTURES_IN_FLIGHT_PER_SLOT)

    async def run(self, first: LeasedSource) -> None:
        renewing = asyncio.create_task(self._renew_leases())
        try:
            async with asyncio.TaskGroup() as stages:
                stages.create_task(self._commit_loop())
                stages.create_task(self._fetch_all(first))
        except BaseExceptionGroup as group:
            raise _first_cause(group) from None
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _renew_leases(self) -> None:
        """Keep the leases of the sources this run still works on, a third of a lease before they
        would expire, so a slow pass never has another worker fetch them too. A failed renewal is
        not fatal: at worst a lease expires and another worker captures that source as well."""
        options = self.dispatcher.options
        every = max(options.lease_for.total_seconds() / 3, 0.05)
        while True:
            await asyncio.sleep(every)
            held = sorted(self.dispatcher.uncommitted)
            if not held:
                continue
            try:
                await asyncio.to_thread(
                    renew_leases, self.dispatcher.ledger, options.worker, held, lease_for=options.lease_for
                )
            except Exception:
                self.summary.lease_renewal_failures += 1
                continue
            self.summary.lease_renewals += 1

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
                result = await self.fetcher.fetch(url_to_fetch(source.url))  # a memento: its raw form
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
                job = PrepareJob(capture, refers_to, self.paths, result.final_url, text_hook, self.limits)
                prepared = await self._prepare(job)
                if result.body is not None:
                    result = replace(result, body=result.body.handed_on())
            await self.finished.put(Finished(source, result, prepared, prior, revisit))
        finally:
            self.preparing.release()

    async def _prepare(self, job: PrepareJob) -> Prepared:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.executor, prepare_capture, job)
        except PrepareTimeoutError as exc:
            # The worker was stopped mid-extraction: archive the capture without its text, and say why.
            built = await loop.run_in_executor(self.executor, prepare_capture, replace(job, extract=False))
            return replace(built, extract_error_kind="extract_limit", extract_error=str(exc))

    async def _next_group(self) -> tuple[list[Finished], bool]:
        """The next group to commit, and whether it is the last: up to ``COMMIT_GROUP`` captures, taken as
        they come until ``COMMIT_WAIT`` after the first one, or until every capture has been queued."""
        item = await self.finished.get()
        if item is None:
            return [], True
        group = [item]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + COMMIT_WAIT
        while len(group) < COMMIT_GROUP:
            if self.finished.empty():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    async with asyncio.timeout(remaining):
                        extra = await self.finished.get()  # a cancelled get takes nothing off the queue
                except TimeoutError:
                    break
            else:
                extra = self.finished.get_nowait()
            if extra is None:
                return group, True
            group.append(extra)
        return group, False

    async def _commit_loop(self) -> None:
        done = False
        while not done:
            group, done = await self._next_group()
            if not group:
                break
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
                        entry.result.duration_ms,
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


def _tidy_after_crashes(ledger: Ledger, paths: ArchivePaths) -> list[str]:
    """What killed workers left behind, one line per repair: torn WARC tails and complete but
    uncommitted records in a local store (cut off, so no replay shows a capture the ledger never
    recorded), half-written texts, and fetched payloads in the scratch directory. A bucket needs none
    of it: an object is complete or absent, and ``store check`` removes whole orphaned objects."""
    actions: list[str] = []
    if paths.is_local and paths.warcs.exists():
        actions += repair(paths.warcs)

        def committed_ends(names: list[str]) -> dict[str, int]:
            with ledger.read() as session:
                return committed_record_ends(session, names)

        actions += trim_uncommitted(paths.warcs, committed_ends)
        LocalObjects(paths.texts).sweep_temporary()
    actions += sweep_payloads(paths.scratch)
    return actions


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
    summary = RunSummary(repaired=await asyncio.to_thread(_tidy_after_crashes, ledger, paths))
    # A worker killed on this machine left leases behind; free them now instead of at their expiry.
    await asyncio.to_thread(release_dead_local_leases, ledger, socket.gethostname())
    hooks = hooks or CaptureHooks()
    dispatcher = Dispatcher(ledger, options, hooks.text_wanted)
    committer = Committer(ledger, actor, paths, options, hooks.after_commit)
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
                    fetcher, dispatcher, committer, executor, paths, hooks, summary, on_progress
                )
                await pipeline.run(first)
    finally:
        summary.leased = dispatcher.leased_total
        if dispatcher.uncommitted:  # a failed or stopped run: back to the pool now, not at their expiry
            await asyncio.to_thread(release_leases, ledger, options.worker, sorted(dispatcher.uncommitted))
        committer.close()
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    summary.seconds = time.monotonic() - started
    return summary


async def capture_sources(
    ledger: Ledger,
    actor: str,
    paths: ArchivePaths,
    options: RunOptions,
    source_ids: Sequence[int],
    *,
    hooks: CaptureHooks | None = None,
) -> RunSummary:
    """Capture these sources now, whatever their schedule: the one way to fetch particular sources.

    They are made due, and the run leases only them (``only_source_ids``), so nothing else that happens
    to be due is captured instead. A source another worker holds a lease on is left to that worker."""
    if not source_ids:
        return RunSummary()
    ids = tuple(dict.fromkeys(source_ids))
    await asyncio.to_thread(make_due, ledger, list(ids))
    narrowed = replace(options, only_source_ids=ids, limit=len(ids))
    return await run_archive(ledger, actor, paths, narrowed, hooks=hooks)


def _count(summary: RunSummary, item: Finished, recorded: RecordedCapture) -> None:
    health = recorded.health.value
    summary.attempted += 1
    summary.health[health] += 1
    summary.drift[recorded.drift] += 1
    summary.flagged_claims.update(recorded.flagged_claim_ids)
    summary.unflagged_claims.update(recorded.unflagged_claim_ids)
    if recorded.snapshot.error_kind in EXTRACT_ERROR_KINDS:
        summary.no_text[recorded.snapshot.error_kind] += 1
    if health in ("ok", "redirected"):
        summary.ok += 1
    elif recorded.health is SourceHealth.REFUSED:
        summary.refused += 1
    else:
        summary.failed += 1
        summary.failed_by_kind[_failure_kind(item.result, health)] += 1
