"""Handing leased sources to the fetch workers: per-host limits, and leasing more as the pool runs low."""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Iterable

from factledger.archive.leases import LeasedSource, lease_due_sources
from factledger.archive.options import RunOptions, TextWanted
from factledger.ledger.database import Ledger
from factledger.ledger.snapshot_queries import PreviousCapture, previous_captures


def previous_captures_of(ledger: Ledger, source_ids: list[int]) -> dict[int, PreviousCapture]:
    """Each source's previous capture: what a revisit record refers to, and drift is judged against."""
    if not source_ids:
        return {}
    with ledger.read() as session:
        return previous_captures(session, source_ids)


LEASE_WINDOW_PER_SLOT = 2  # sources leased at a time per fetch slot


class Dispatcher:
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
        self.priors: dict[int, PreviousCapture] = {}
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
        # About what this worker finishes before it next leases: a bigger window would leave the
        # workers that start a moment later with nothing (one took all 60 of 60 sources with 128).
        window = self.options.fetch.concurrency * LEASE_WINDOW_PER_SLOT
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
            # One hop to a thread for the batch's three blocking steps: each hop costs the event
            # loop a wake-up and a handover of the GIL.
            leased, priors, wanted = await asyncio.to_thread(self._lease_batch, window)
            self.priors.update(priors)
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

    def _lease_batch(
        self, window: int
    ) -> tuple[list[LeasedSource], dict[int, PreviousCapture], Iterable[int]]:
        """Blocking: lease up to ``window`` due sources, with their previous captures and which of them
        want their new text sent to the text hook."""
        only = list(self.options.only_source_ids) if self.options.only_source_ids is not None else None
        leased = lease_due_sources(
            self.ledger, self.options.worker, window, lease_for=self.options.lease_for, only_ids=only
        )
        ids = [source.id for source in leased]
        wanted = ids if self.text_wanted is None else self.text_wanted(ids)
        return leased, previous_captures_of(self.ledger, ids), wanted

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
                    and self.pending_count < self.options.fetch.concurrency
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
