"""Reading captures back: the stored response, its full text, and its main text (made on first use).

Main text (trafilatura) is slow, about 75 ms a page, and is only needed for reading, so the archiver
stores the fast full text at capture time and the main text is extracted here the first time someone
asks for it, then kept in the text store like the rest.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select

from factledger.archive.runner import ArchivePaths
from factledger.archive.textstore import TextStore
from factledger.archive.warc.reader import StoredResponse, read_record
from factledger.archive.warc.records import WarcLocation
from factledger.ledger.database import Ledger
from factledger.ledger.errors import NotFoundError
from factledger.ledger.models import Snapshot
from factledger.text import extract_text

TextKind = Literal["full", "main"]


def get_snapshot(ledger: Ledger, snapshot_id: int) -> Snapshot:
    with ledger.read() as session:
        snapshot = session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise NotFoundError(f"no snapshot with id {snapshot_id}")
    return snapshot


def _payload_snapshot(ledger: Ledger, snapshot: Snapshot) -> Snapshot:
    """A revisit has no payload of its own: the first full capture with the same digest has it."""
    if not snapshot.is_revisit:
        return snapshot
    with ledger.read() as session:
        original = session.scalars(
            select(Snapshot)
            .where(
                Snapshot.source_id == snapshot.source_id,
                Snapshot.payload_sha256 == snapshot.payload_sha256,
                Snapshot.is_revisit.is_(False),
                Snapshot.warc_filename.is_not(None),
            )
            .order_by(Snapshot.id)
            .limit(1)
        ).first()
    if original is None:
        raise NotFoundError(f"snapshot {snapshot.id} is a revisit whose original capture is missing")
    return original


def read_response(ledger: Ledger, paths: ArchivePaths, snapshot: Snapshot) -> StoredResponse:
    holder = _payload_snapshot(ledger, snapshot)
    if holder.warc_filename is None or holder.warc_offset is None or holder.warc_length is None:
        raise NotFoundError(
            f"snapshot {snapshot.id} has no archived response ({snapshot.error_kind or 'failed'})"
        )
    return read_record(
        paths.warcs, WarcLocation(holder.warc_filename, holder.warc_offset, holder.warc_length)
    )


def snapshot_text(
    ledger: Ledger, paths: ArchivePaths, snapshot: Snapshot, kind: TextKind = "full"
) -> str | None:
    texts = TextStore(paths.texts)
    if kind == "full":
        return texts.get(snapshot.full_text_ref) if snapshot.full_text_ref else None
    if snapshot.main_text_ref:
        return texts.get(snapshot.main_text_ref)
    if snapshot.warc_filename is None and not snapshot.is_revisit:
        return None
    response = read_response(ledger, paths, snapshot)
    extracted = extract_text(response.payload, response.headers, url=snapshot.final_url, main_text=True)
    if not extracted.main_text:
        return None
    ref = texts.put(extracted.main_text)
    with ledger.write() as session:
        stored = session.get(Snapshot, snapshot.id)
        if stored is not None:
            stored.main_text_ref = ref
    return extracted.main_text
