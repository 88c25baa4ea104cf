"""Sources and their captures: ``factledger sources list|show|snapshot``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from factledger.archive import reading
from factledger.archive.runner import ArchivePaths
from factledger.archive.warc.reader import StoredResponse
from factledger.ledger import sources
from factledger.ledger.database import Ledger
from factledger.ledger.rows import Snapshot
from factledger.ledger.serialize import snapshot_summary, source_summary
from factledger.ledger.snapshot_queries import snapshots_for_source
from factledger.ledger.statuses import SourceHealth


def list_sources(ledger: Ledger, health: SourceHealth | None, limit: int | None) -> list[dict[str, Any]]:
    """Sources (only those of this ``health``, when given) with their health, checks and counts."""
    with ledger.read() as session:
        return [source_summary(row) for row in sources.list_sources(session, health, limit)]


def show_source(ledger: Ledger, source_id: int) -> dict[str, Any]:
    """One source with its captures, oldest first (under ``captures``)."""
    with ledger.read() as session:
        source = sources.get_source(session, source_id)
        captures = [snapshot_summary(s) for s in snapshots_for_source(session, source_id)]
        [row] = sources.list_sources(session, source_id=source_id)
        return {
            **source_summary(row),
            "final_url": source.final_url,
            "title": source.title,
            "captures": captures,
        }


def snapshot_response(ledger: Ledger, paths: ArchivePaths, snapshot_id: int) -> StoredResponse:
    """The HTTP response one capture holds, read back from the WARC archive."""
    return reading.read_response(ledger, paths, reading.get_snapshot(ledger, snapshot_id))


@dataclass(frozen=True)
class SnapshotText:
    text: str | None  # None: the capture has no such text
    fell_back: bool  # the main text was asked for, none was found, and this is the full text


def snapshot_text(ledger: Ledger, paths: ArchivePaths, snapshot_id: int, *, main: bool) -> SnapshotText:
    """A capture's full visible text, or its main text (extracted on first use; the full text when the
    page has none)."""
    snapshot = reading.get_snapshot(ledger, snapshot_id)
    text = reading.snapshot_text(ledger, paths, snapshot, "main" if main else "full")
    fell_back = False
    if text is None and main:
        text, fell_back = reading.snapshot_text(ledger, paths, snapshot, "full"), True
    return SnapshotText(text, fell_back)


def captures_with_text(ledger: Ledger, source_id: int) -> list[Snapshot]:
    """A source's captures that have a full text, oldest first (the reader steps through them)."""
    with ledger.read() as session:
        return [s for s in snapshots_for_source(session, source_id) if s.full_text_ref is not None]


def capture_texts(
    ledger: Ledger, paths: ArchivePaths, source_id: int, snapshot_id: int, previous_id: int | None
) -> tuple[str | None, str | None]:
    """The full texts of one of a source's captures and of the capture before it (None when there is
    no ``previous_id``), from one read of the source's captures."""
    with ledger.read() as session:
        snapshots = {s.id: s for s in snapshots_for_source(session, source_id)}
    text = reading.snapshot_text(ledger, paths, snapshots[snapshot_id], "full")
    previous = None
    if previous_id is not None:
        previous = reading.snapshot_text(ledger, paths, snapshots[previous_id], "full")
    return text, previous
