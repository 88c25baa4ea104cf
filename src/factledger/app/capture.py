"""Capturing sources, with the quote checks wired: every archive run a front end starts comes through here.

The archiver knows nothing of quotes (factledger.verify plugs into it through ``CaptureHooks``); this
module is the one place that hands it those hooks, so a quote citing a source is re-checked whenever a
new capture of it lands, whoever started the run.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Coroutine, Sequence
from typing import Any

from factledger.archive.leases import make_due, waiting_sources
from factledger.archive.runner import (
    ArchivePaths,
    CaptureHooks,
    ProgressCallback,
    RunOptions,
    RunSummary,
    capture_sources,
    run_archive,
)
from factledger.ledger import evidence_queries
from factledger.ledger.database import Ledger
from factledger.ledger.leases import Waiting
from factledger.verify.capture import capture_hooks


def quote_checks(ledger: Ledger, actor: str, paths: ArchivePaths) -> CaptureHooks:
    """The hooks every run takes: new texts are normalized, and the quotes citing them re-checked."""
    return capture_hooks(ledger, actor, paths)


class PassStopped(Exception):
    """SIGTERM stopped an archive pass; its unfinished sources were given back to the queue."""


def archive_due(
    ledger: Ledger,
    actor: str,
    paths: ArchivePaths,
    options: RunOptions,
    *,
    recheck: bool = False,
    on_progress: ProgressCallback | None = None,
) -> RunSummary:
    """One archive pass over the sources that are due (every source, with ``recheck``).

    SIGTERM (systemd stopping a worker) ends the pass at once and raises PassStopped: the captures
    already committed stay, and the leases of the rest are released for the other workers."""
    if recheck:
        make_due(ledger)
    hooks = quote_checks(ledger, actor, paths)
    return asyncio.run(
        _stopped_by_sigterm(run_archive(ledger, actor, paths, options, on_progress=on_progress, hooks=hooks))
    )


async def _stopped_by_sigterm(run: Coroutine[Any, Any, RunSummary]) -> RunSummary:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if task is None or threading.current_thread() is not threading.main_thread():
        return await run
    signalled = False

    def stop() -> None:
        nonlocal signalled
        signalled = True
        task.cancel()

    previous = signal.getsignal(signal.SIGTERM)
    loop.add_signal_handler(signal.SIGTERM, stop)
    try:
        return await run
    except asyncio.CancelledError:
        if signalled:
            raise PassStopped("stopped by SIGTERM; unfinished sources were given back") from None
        raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        if previous is not None:  # remove_signal_handler leaves SIG_DFL behind
            signal.signal(signal.SIGTERM, previous)


def capture_now(
    ledger: Ledger, actor: str, paths: ArchivePaths, options: RunOptions, source_ids: Sequence[int]
) -> RunSummary:
    """Capture just these sources, now, whatever their schedule (blocking: it runs its own event loop)."""
    hooks = quote_checks(ledger, actor, paths)
    return asyncio.run(capture_sources(ledger, actor, paths, options, source_ids, hooks=hooks))


def source_ids_of_claim(ledger: Ledger, claim_id: int) -> list[int]:
    """The sources a claim cites, for fetching them all at once."""
    with ledger.read() as session:
        return evidence_queries.source_ids_of_claim(session, claim_id)


def sources_waiting(ledger: Ledger) -> Waiting:
    """The archive queue now: how many sources are due (a progress bar's total) and, of those not due
    yet, how many and until when (what to tell a user whose pass found nothing to do)."""
    return waiting_sources(ledger)
