"""What an archive run is given: where its captures go (``ArchivePaths``), its limits, and the hooks later
stages plug in."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from factledger.archive.capture_store import ArchivePaths
from factledger.archive.fetch import FetchLimits
from factledger.archive.health import RecheckPolicy
from factledger.archive.leases import DEFAULT_LEASE, default_worker_name
from factledger.archive.prepare import TextHook
from factledger.ledger.snapshots import RecordedCapture
from factledger.text.limits import ExtractLimits

__all__ = [
    "AfterCommit",
    "ArchivePaths",
    "CaptureHooks",
    "Progress",
    "ProgressCallback",
    "RunOptions",
    "TextWanted",
]


@dataclass(frozen=True)
class RunOptions:
    limit: int | None = None
    fetch: FetchLimits = field(default_factory=FetchLimits)
    allow_private: bool = False
    recheck: RecheckPolicy = field(default_factory=RecheckPolicy)
    lease_for: timedelta = DEFAULT_LEASE
    worker: str = field(default_factory=default_worker_name)
    max_warc_bytes: int = 1024**3
    only_source_ids: tuple[int, ...] | None = None  # capture just these (if due), e.g. `ingest URL`
    # Worker processes for preparing captures; None: one per CPU, or threads for a run of few sources.
    # Only worker processes enforce the extraction's CPU bound as a hard limit (prepare_pool.py).
    processes: int | None = None
    extract_limits: ExtractLimits = field(default_factory=ExtractLimits)


@dataclass(frozen=True)
class Progress:
    """What a progress display needs after each source: done so far, and the latest outcome."""

    done: int
    total_known: int
    url: str
    health: str
    duration_ms: int | None = None  # the fetch's, all hops


ProgressCallback = Callable[[Progress], None]
# Runs on the committer's thread once a group of captures is committed, with their outcomes and, by text
# ref, what ``on_new_text`` returned for the group's new texts (those it returned None for are left out).
AfterCommit = Callable[[Sequence[RecordedCapture], Mapping[str, object]], None]
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
