"""Fetch-now for one claim's sources: the archiver's normal pass, narrowed to those sources.

Blocking (it runs its own event loop); the review app calls it from a thread worker.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from factledger.archive.leases import make_due
from factledger.archive.runner import ArchivePaths, RunOptions, RunSummary, run_archive
from factledger.ledger import evidence_queries
from factledger.ledger.database import Ledger
from factledger.verify.capture import capture_hooks

# The archiver leases due sources oldest-due first. Marking ours due at this long-past moment puts
# them at the front of the queue, so a pass limited to their number captures exactly them, not
# whatever else happened to be due.
FRONT_OF_QUEUE = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FetchSettings:
    home: Path
    allow_private: bool = False


def source_ids_of_claim(ledger: Ledger, claim_id: int) -> list[int]:
    with ledger.read() as session:
        return evidence_queries.source_ids_of_claim(session, claim_id)


def fetch_now(ledger: Ledger, actor: str, settings: FetchSettings, source_ids: list[int]) -> RunSummary:
    """Capture these sources now; quotes citing them are re-verified as each capture lands."""
    if not source_ids:
        return RunSummary()
    make_due(ledger, source_ids, now=FRONT_OF_QUEUE)
    paths = ArchivePaths.under(settings.home)
    options = RunOptions(limit=len(source_ids), allow_private=settings.allow_private)
    hooks = capture_hooks(ledger, actor, paths)
    return asyncio.run(run_archive(ledger, actor, paths, options, hooks=hooks))
