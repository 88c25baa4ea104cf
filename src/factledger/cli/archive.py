"""`factledger archive run|watch`: capture due sources into WARC files, once or on a schedule."""

from __future__ import annotations

import re
import signal
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import rich_click as click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from factledger.app.capture import PassStopped, archive_due, sources_waiting
from factledger.app.status import backlog, record_pass
from factledger.archive.fetch import FetchLimits
from factledger.archive.health import RecheckPolicy
from factledger.archive.objects import StoreError
from factledger.archive.runner import Progress as ArchiveProgress
from factledger.archive.runner import RunOptions, RunSummary
from factledger.cli.app import LIMIT, AppContext, examples, json_option, pass_app
from factledger.cli.metrics import WorkerMetrics
from factledger.cli.output import info, print_json, stderr
from factledger.ledger.errors import InvalidInputError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise InvalidInputError(f"not a duration: {text!r} (use e.g. 90s, 15m, 6h, 1d)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _options(
    app: AppContext,
    limit: int | None,
    concurrency: int,
    per_host: int,
    allow_private: bool,
    worker_name: str | None = None,
    lease: str | None = None,
) -> RunOptions:
    options = RunOptions(
        limit=limit,
        fetch=FetchLimits(concurrency=concurrency, per_host=per_host),
        allow_private=allow_private or app.settings.allow_private_networks,
        recheck=RecheckPolicy(healthy_every=timedelta(days=app.settings.recheck_days)),
    )
    if worker_name is not None:
        if not worker_name.strip() or len(worker_name) > 255:
            raise click.BadParameter("a worker name needs 1 to 255 characters", param_hint="--worker-name")
        options = replace(options, worker=worker_name.strip())
    if lease is not None:
        options = replace(options, lease_for=timedelta(seconds=parse_duration(lease)))
    return options


class Pass:
    """One pass of `archive run` or `archive watch` as an operator sees it: a JSON line, the ledger's
    record of the worker's last pass (`factledger status`), and the metrics."""

    def __init__(self, app: AppContext, options: RunOptions, metrics: WorkerMetrics | None) -> None:
        self.app = app
        self.options = options
        self.metrics = metrics

    def run(self, recheck: bool, show_progress: bool) -> RunSummary:
        try:
            summary = _run_once(self.app, self.options, recheck, show_progress, self.metrics)
        except StoreError:
            if self.metrics is not None:
                self.metrics.finished_pass(None, backlog(self.app.ledger()), store_error=True)
            raise
        line = self.line(summary)
        record_pass(self.app.ledger(), self.options.worker, _recorded(line), datetime.now(UTC))
        if self.metrics is not None:
            self.metrics.finished_pass(summary, int(line["backlog"]))
        self.last_line = line
        return summary

    def line(self, summary: RunSummary) -> dict[str, Any]:
        """The pass as one compact JSON object: when, who, what was leased, done and failed, and what is
        left (the backlog)."""
        return {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "worker": self.options.worker,
            "backlog": backlog(self.app.ledger()),
            **summary.as_dict(),
        }


def _recorded(line: dict[str, Any]) -> dict[str, Any]:
    """What the ledger keeps of a pass (the per-source lists stay out)."""
    kept = ("leased", "attempted", "ok", "failed", "failed_by_kind", "no_text", "backlog", "seconds")
    return {key: line[key] for key in kept}


def _run_once(
    app: AppContext,
    options: RunOptions,
    recheck: bool,
    show_progress: bool,
    metrics: WorkerMetrics | None = None,
) -> RunSummary:
    ledger = app.ledger()
    paths = app.archive_paths()
    if not show_progress:
        on_capture = metrics.capture if metrics is not None else None
        return archive_due(ledger, app.actor, paths, options, recheck=recheck, on_progress=on_capture)
    queue = sources_waiting(ledger)
    due = queue.due + queue.count if recheck else queue.due  # --recheck makes every source due
    total = min(due, options.limit) if options.limit else due
    with Progress(
        TextColumn("archiving"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=stderr,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=total or None)

        def advance(progress: ArchiveProgress) -> None:
            # Another worker may have taken some of the due sources: never show more done than total.
            bar.update(
                task,
                completed=progress.done,
                total=max(total, progress.done) or None,
                description=f"{progress.health:<10} {progress.url[:60]}",
            )

        return archive_due(ledger, app.actor, paths, options, recheck=recheck, on_progress=advance)


REFUSED_HINT = (
    "refused: private address (our address guard, not the source: pass --allow-private "
    "or set allow_private_networks = true in factledger.toml to archive it)"
)


def _report(app: AppContext, summary: RunSummary, recheck: bool) -> None:
    data = summary.as_dict()
    if summary.attempted == 0 and not recheck:
        info(_nothing_due(app))
    else:
        failures = ", ".join(f"{kind}: {count}" for kind, count in summary.failed_by_kind.items())
        info(
            f"archived {summary.attempted} sources in {data['seconds']}s: {summary.ok} ok, "
            f"{summary.failed} failed" + (f" ({failures})" if failures else "")
        )
    if summary.refused:
        info(f"{summary.refused} {REFUSED_HINT}")
    if summary.no_text:
        why = ", ".join(f"{kind}: {count}" for kind, count in sorted(summary.no_text.items()))
        info(f"archived without text: {sum(summary.no_text.values())} ({why}; `sources list` says why)")
    if summary.flagged_claims:
        info(f"flagged {len(summary.flagged_claims)} claims for review (a source went bad or changed)")
    if summary.unflagged_claims:
        info(
            f"cleared the review flag of {len(summary.unflagged_claims)} claims (their source answers again)"
        )
    for line in summary.repaired:
        info(f"repaired: {line}")


def _nothing_due(app: AppContext) -> str:
    waiting = sources_waiting(app.ledger())
    if waiting.count == 0:
        return "nothing to archive: no source is due and none is scheduled (cite a source first)"
    line = f"nothing is due: {waiting.count} sources wait for their next check"
    if waiting.retrying and waiting.retrying_soonest is not None:
        line += (
            f", {waiting.retrying} of them retrying after a failure, the first at "
            f"{_when(waiting.retrying_soonest)}"
        )
    elif waiting.soonest is not None:
        line += f", the first at {_when(waiting.soonest)}"
    return line + "; `factledger archive run --recheck` captures them now"


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


run_options = [
    click.option("--limit", type=LIMIT, help="Capture at most N sources."),
    click.option("--concurrency", type=click.IntRange(1, 256), default=16, show_default=True),
    click.option("--per-host", type=click.IntRange(1, 64), default=4, show_default=True),
    click.option("--allow-private", is_flag=True, help="Allow private, loopback and link-local addresses."),
    click.option("--recheck", is_flag=True, help="Treat every source as due now, whatever its schedule."),
    click.option(
        "--worker-name",
        metavar="NAME",
        help="This worker's name in leases, logs and status (default host:pid).",
    ),
    click.option(
        "--lease",
        metavar="DURATION",
        help="How long a leased source stays this worker's between renewals (10m).",
    ),
    click.option(
        "--metrics-port", type=click.IntRange(1, 65535), help="Serve Prometheus metrics on this port."
    ),
    click.option(
        "--metrics-address", default="127.0.0.1", show_default=True, help="Where --metrics-port listens."
    ),
    click.option(
        "--metrics-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write Prometheus metrics here after each pass (node_exporter's textfile collector).",
    ),
]


def _metrics(options: RunOptions, port: int | None, address: str, file: Path | None) -> WorkerMetrics | None:
    if port is None and file is None:
        return None
    metrics = WorkerMetrics(options.worker, file=file)
    if port is not None:
        try:
            metrics.serve(port, address)
        except OSError as exc:
            raise InvalidInputError(
                f"cannot serve metrics on {address}:{port}: {exc.strerror or exc}"
            ) from None
    return metrics


def with_run_options(func: Any) -> Any:
    for option in reversed(run_options):
        func = option(func)
    return func


@click.group("archive")
def archive_group() -> None:
    """Capture sources into WARC files and track their health."""


@archive_group.command(
    "run",
    epilog=examples("factledger archive run", "factledger archive run --allow-private --recheck --limit 100"),
)
@with_run_options
@json_option
@pass_app
def archive_run(
    app: AppContext,
    limit: int | None,
    concurrency: int,
    per_host: int,
    allow_private: bool,
    recheck: bool,
    worker_name: str | None,
    lease: str | None,
    metrics_port: int | None,
    metrics_address: str,
    metrics_file: Path | None,
    as_json: bool,
) -> None:
    """Capture every source that is due, then exit. A failed fetch is reported, not an error.

    SIGTERM stops the pass and gives its unfinished sources back to the other workers."""
    options = _options(app, limit, concurrency, per_host, allow_private, worker_name, lease)
    metrics = _metrics(options, metrics_port, metrics_address, metrics_file)
    one_pass = Pass(app, options, metrics)
    try:
        summary = one_pass.run(recheck, show_progress=not as_json and stderr.is_terminal and metrics is None)
    except PassStopped as stopped:
        info(f"archive run {stopped}")
        return
    if as_json:
        print_json(one_pass.last_line, one_line=True)  # one JSON line per pass, like `archive watch`
    else:
        _report(app, summary, recheck)


@archive_group.command("watch", epilog=examples("factledger archive watch --every 15m --json"))
@click.option("--every", default="15m", show_default=True, help="Time between passes (e.g. 90s, 15m, 6h).")
@with_run_options
@json_option
@pass_app
def archive_watch(
    app: AppContext,
    every: str,
    limit: int | None,
    concurrency: int,
    per_host: int,
    allow_private: bool,
    recheck: bool,
    worker_name: str | None,
    lease: str | None,
    metrics_port: int | None,
    metrics_address: str,
    metrics_file: Path | None,
    as_json: bool,
) -> None:
    """Run `archive run` every interval until stopped (SIGTERM or Ctrl-C): the form for systemd.

    SIGTERM during a pass stops it at once; its unfinished sources go back to the other workers."""
    interval = parse_duration(every)
    options = _options(app, limit, concurrency, per_host, allow_private, worker_name, lease)
    metrics = _metrics(options, metrics_port, metrics_address, metrics_file)
    one_pass = Pass(app, options, metrics)
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        try:
            summary = one_pass.run(recheck, show_progress=False)
        except PassStopped:
            break
        if as_json:
            print_json(one_pass.last_line, one_line=True)  # one JSON line per pass, for log shippers
        else:
            _report(app, summary, recheck)
        deadline = time.monotonic() + interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(1.0, deadline - time.monotonic()))
    info("archive watch stopped")
