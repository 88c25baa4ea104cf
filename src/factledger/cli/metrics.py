"""Prometheus metrics of an archive worker (`archive run|watch --metrics-port N | --metrics-file PATH`).

Captures by outcome, the fetch latency histogram, the backlog, lease renewals and store errors. Served on
127.0.0.1 by default (``--metrics-address`` widens it), or written after each pass to a file for
node_exporter's textfile collector (written to a temporary name and renamed, so it is never half read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    start_http_server,
    write_to_textfile,
)

from factledger.archive.runner import Progress, RunSummary

# Fetch latencies: a fast origin answers in tens of milliseconds, a slow one in tens of seconds.
_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass
class WorkerMetrics:
    worker: str
    file: Path | None = None
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        labels = ["worker"]
        self.captures = Counter(
            "factledger_captures",
            "Captures committed, by outcome (health).",
            [*labels, "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "factledger_fetch_seconds",
            "Time to fetch a source (all hops).",
            labels,
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.backlog = Gauge(
            "factledger_backlog_sources",
            "Sources due now that no worker holds.",
            labels,
            registry=self.registry,
        )
        self.renewals = Counter(
            "factledger_lease_renewals",
            "Lease renewals of in-flight sources.",
            labels,
            registry=self.registry,
        )
        self.store_errors = Counter(
            "factledger_store_errors",
            "Passes that failed on the capture store.",
            labels,
            registry=self.registry,
        )
        self.passes = Counter("factledger_passes", "Archive passes run.", labels, registry=self.registry)

    def serve(self, port: int, address: str) -> None:
        start_http_server(port, addr=address, registry=self.registry)

    def capture(self, progress: Progress) -> None:
        self.captures.labels(self.worker, progress.health).inc()
        if progress.duration_ms is not None:
            self.latency.labels(self.worker).observe(progress.duration_ms / 1000)

    def finished_pass(self, summary: RunSummary | None, backlog: int, store_error: bool = False) -> None:
        self.passes.labels(self.worker).inc()
        self.backlog.labels(self.worker).set(backlog)
        if summary is not None:
            self.renewals.labels(self.worker).inc(summary.lease_renewals)
        if store_error:
            self.store_errors.labels(self.worker).inc()
        if self.file is not None:
            write_to_textfile(str(self.file), self.registry)
