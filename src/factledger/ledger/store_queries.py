"""What the ledger says the capture store holds: for ``store check``, ``store migrate`` and the start-up
trim of WARC records a crashed writer left uncommitted (archive/store_check.py, archive/warc/repair.py)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factledger.ledger.models import Snapshot


@dataclass(frozen=True, slots=True)
class StoredCapture:
    snapshot_id: int
    warc_filename: str
    warc_offset: int
    warc_length: int
    payload_sha256: str | None
    is_revisit: bool
    full_text_ref: str | None


def stored_captures(session: Session) -> Iterator[StoredCapture]:
    """Every snapshot that points at a WARC record, in id order (streamed)."""
    rows = session.execute(
        select(
            Snapshot.id,
            Snapshot.warc_filename,
            Snapshot.warc_offset,
            Snapshot.warc_length,
            Snapshot.payload_sha256,
            Snapshot.is_revisit,
            Snapshot.full_text_ref,
        )
        .where(Snapshot.warc_filename.is_not(None))
        .order_by(Snapshot.id)
        .execution_options(yield_per=1000)
    )
    for row in rows:
        yield StoredCapture(
            row.id,
            row.warc_filename,
            row.warc_offset or 0,
            row.warc_length or 0,
            row.payload_sha256,
            bool(row.is_revisit),
            row.full_text_ref,
        )


def stored_capture_count(session: Session) -> int:
    """How many snapshots ``stored_captures`` yields."""
    return int(session.scalar(select(func.count()).where(Snapshot.warc_filename.is_not(None))) or 0)


def referenced_warc_files(session: Session) -> set[str]:
    return {name for name in session.scalars(select(Snapshot.warc_filename).distinct()) if name}


def referenced_text_refs(session: Session) -> set[str]:
    refs: set[str] = set()
    for column in (Snapshot.full_text_ref, Snapshot.main_text_ref):
        refs.update(ref for ref in session.scalars(select(column).distinct()) if ref)
    return refs


def referenced_payload_digests(session: Session) -> set[str]:
    return {d for d in session.scalars(select(Snapshot.payload_sha256).distinct()) if d}


def committed_record_ends(session: Session, filenames: Collection[str]) -> dict[str, int]:
    """For each of these WARC files that a snapshot points into, where the last record a snapshot points
    at ends (files nobody points into are absent)."""
    if not filenames:
        return {}
    rows = session.execute(
        select(Snapshot.warc_filename, func.max(Snapshot.warc_offset + Snapshot.warc_length))
        .where(Snapshot.warc_filename.in_(list(filenames)))
        .group_by(Snapshot.warc_filename)
    )
    return {name: int(offset) for name, offset in rows if name is not None and offset is not None}
