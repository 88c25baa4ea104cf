"""`factledger archive run|watch`: capture due sources into WARC files, once or on a schedule."""

from __future__ import annotations

import re
import signal
import time
from datetime import datetime, timedelta
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

from factledger.app.capture import archive_due, sources_waiting
from factledger.archive.fetch import FetchLimits
from factledger.archive.health import RecheckPolicy
from factledger.archive.runner import ArchivePaths, RunOptions, RunSummary
from factledger.archive.runner import Progress as ArchiveProgress
from factledger.cli.app import AppContext, examples, json_option, pass_app
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
    app: AppContext, limit: int | None, concurrency: int, per_host: int, allow_private: bool
) -> RunOptions:
    return RunOptions(
        limit=limit,
        fetch=FetchLimits(concurrency=concurrency, per_host=per_host),
        allow_private=allow_private or app.settings.allow_private_networks,
        recheck=RecheckPolicy(healthy_every=timedelta(days=app.settings.recheck_days)),
    )


def _run_once(app: AppContext, options: RunOptions, recheck: bool, show_progress: bool) -> RunSummary:
    ledger = app.ledger()
    paths = ArchivePaths.under(app.settings.home)
    if not show_progress:
        return archive_due(ledger, app.actor, paths, options, recheck=recheck)
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
    click.option("--limit", type=click.IntRange(min=1), help="Capture at most N sources."),
    click.option("--concurrency", type=click.IntRange(1, 256), default=16, show_default=True),
    click.option("--per-host", type=click.IntRange(1, 64), default=4, show_default=True),
    click.option("--allow-private", is_flag=True, help="Allow private, loopback and link-local addresses."),
    click.option("--recheck", is_flag=True, help="Treat every source as due now, whatever its schedule."),
]


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
    as_json: bool,
) -> None:
    """Capture every source that is due, then exit. A failed fetch is reported, not an error."""
    options = _options(app, limit, concurrency, per_host, allow_private)
    summary = _run_once(app, options, recheck, show_progress=not as_json and stderr.is_terminal)
    if as_json:
        print_json(summary.as_dict())
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
    as_json: bool,
) -> None:
    """Run `archive run` every interval until stopped (SIGTERM or Ctrl-C): the form for systemd."""
    interval = parse_duration(every)
    options = _options(app, limit, concurrency, per_host, allow_private)
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        summary = _run_once(app, options, recheck, show_progress=False)
        if as_json:
            print_json(summary.as_dict(), one_line=True)  # one JSON line per pass, for log shippers
        else:
            _report(app, summary, recheck)
        deadline = time.monotonic() + interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(1.0, deadline - time.monotonic()))
    info("archive watch stopped")
