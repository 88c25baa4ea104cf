"""From a fetch outcome to a source's health and its next check.

A failed fetch is data, not an error: it sets the health with a reason and schedules a retry with
exponential backoff. A healthy source is re-checked on a fixed schedule (30 days by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from factledger.ledger.statuses import SourceHealth

GONE_STATUSES = frozenset({404, 410, 451})


@dataclass(frozen=True)
class RecheckPolicy:
    healthy_every: timedelta = timedelta(days=30)
    failure_base: timedelta = timedelta(hours=1)
    failure_max: timedelta = timedelta(days=7)

    def next_check(self, health: SourceHealth, consecutive_failures: int, now: datetime) -> datetime:
        if health in (SourceHealth.OK, SourceHealth.REDIRECTED):
            return now + self.healthy_every
        # 1h, 2h, 4h … capped: a dead link is retried, but not hammered.
        doublings: int = max(0, min(consecutive_failures - 1, 20))
        delay: timedelta = self.failure_base * (1 << doublings)
        return now + min(delay, self.failure_max)


@dataclass(frozen=True)
class HealthVerdict:
    health: SourceHealth
    reason: str | None

    @property
    def is_failure(self) -> bool:
        return self.health not in (SourceHealth.OK, SourceHealth.REDIRECTED)


def classify(
    *,
    requested_url: str,
    final_url: str | None,
    status: int | None,
    error_kind: str | None,
    error_message: str | None,
) -> HealthVerdict:
    if error_kind == "blocked":  # our address guard said no: our policy, not the source's fault
        return HealthVerdict(SourceHealth.REFUSED, error_message or "private address")
    if status is not None and status in GONE_STATUSES:
        return HealthVerdict(SourceHealth.GONE, f"HTTP {status}")
    if error_kind is not None and error_kind != "http_status":
        return HealthVerdict(
            SourceHealth.ERROR, f"{error_kind}: {error_message}" if error_message else error_kind
        )
    if status is None:
        return HealthVerdict(SourceHealth.ERROR, error_message or "no response")
    if 200 <= status < 300:
        if final_url and final_url != requested_url:
            return HealthVerdict(SourceHealth.REDIRECTED, f"now at {final_url}")
        return HealthVerdict(SourceHealth.OK, None)
    return HealthVerdict(SourceHealth.ERROR, f"HTTP {status}")
