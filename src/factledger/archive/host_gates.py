"""Admission for fetch requests: global and per-host concurrency, and the per-host gap between starts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from factledger.archive.fetch_types import FetchLimits

__all__ = ["HostGates"]


class _HostGate:
    __slots__ = ("next_start", "slots", "users")

    def __init__(self, per_host: int) -> None:
        self.slots = asyncio.Semaphore(per_host)
        self.next_start = 0.0
        self.users = 0


class HostGates:
    """Global and per-host concurrency, plus the per-host gap between request starts."""

    def __init__(self, limits: FetchLimits) -> None:
        self._limits = limits
        self._global = asyncio.Semaphore(limits.concurrency)
        self._hosts: dict[str, _HostGate] = {}

    @asynccontextmanager
    async def admit(self, host: str) -> AsyncIterator[None]:
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = _HostGate(self._limits.per_host)
        gate.users += 1
        try:
            # Host slot first, so requests queued for one busy host do not hold global slots; the gap is
            # taken last, so the spacing holds for the moment requests really start.
            async with gate.slots, self._global:
                await self._keep_gap(gate)
                yield
        finally:
            gate.users -= 1
            if gate.users == 0 and gate.next_start <= time.monotonic():
                del self._hosts[host]  # forget idle hosts: a long run sees hundreds of thousands

    async def _keep_gap(self, gate: _HostGate) -> None:
        if self._limits.per_host_delay <= 0:
            return
        now = time.monotonic()
        start = max(now, gate.next_start)
        gate.next_start = start + self._limits.per_host_delay
        if start > now:
            await asyncio.sleep(start - now)
