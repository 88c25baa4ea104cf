"""Reading captures back: the stored response, its full text, and its readable text (made on first use).

Main text (trafilatura) is slow, about 75 ms a page, and is only needed for reading, so the archiver
stores the fast full text at capture time. The readable text (the main text, the title and the published
date) is derived here the first time anyone asks for it, from one read of the capture, and kept in the
text store under the payload's digest: ingest and ``sources snapshot --show main`` read the same record,
and so does every capture with the same bytes. (``snapshots.main_text_ref`` is no longer written.)
"""

from __future__ import annotations

from typing import Literal

from factledger.archive.capture_store import ArchivePaths, open_store
from factledger.archive.warc.reader import StoredResponse
from factledger.archive.warc.records import WarcLocation
from factledger.ledger import snapshot_queries
from factledger.ledger.database import Ledger
from factledger.ledger.errors import NotFoundError
from factledger.ledger.rows import Snapshot
from factledger.text import ReadableText, extract_text, readable_text

TextKind = Literal["full", "main"]


def get_snapshot(ledger: Ledger, snapshot_id: int) -> Snapshot:
    with ledger.read() as session:
        return snapshot_queries.get_snapshot(session, snapshot_id)


def read_response(ledger: Ledger, paths: ArchivePaths, snapshot: Snapshot) -> StoredResponse:
    with ledger.read() as session:
        holder = snapshot_queries.payload_holder(session, snapshot)
    if holder.warc_filename is None or holder.warc_offset is None or holder.warc_length is None:
        raise NotFoundError(
            f"snapshot {snapshot.id} has no archived response ({snapshot.error_kind or 'failed'})"
        )
    return open_store(paths).read_record(
        WarcLocation(holder.warc_filename, holder.warc_offset, holder.warc_length)
    )


def readable_text_of(ledger: Ledger, paths: ArchivePaths, snapshot: Snapshot) -> ReadableText:
    """What a capture reads as (main text, title, published date): the record kept under its payload
    digest, or else derived from one read of the capture and kept.

    Raises NotFoundError when the capture holds no archived response."""
    texts = open_store(paths).texts
    digest = snapshot.payload_sha256
    if digest is not None:
        kept = texts.get_readable(digest, snapshot.content_type)
        if kept is not None:
            return kept
    response = read_response(ledger, paths, snapshot)
    extracted = extract_text(response.payload, response.headers, url=snapshot.final_url, main_text=True)
    readable = readable_text(extracted)
    if digest is not None:
        texts.put_readable(digest, snapshot.content_type, readable)
    return readable


def snapshot_text(
    ledger: Ledger, paths: ArchivePaths, snapshot: Snapshot, kind: TextKind = "full"
) -> str | None:
    """A capture's full text, or its main text; None when it has no such text."""
    if kind == "full":
        return open_store(paths).texts.get(snapshot.full_text_ref) if snapshot.full_text_ref else None
    if snapshot.warc_filename is None and not snapshot.is_revisit:
        return None
    readable = readable_text_of(ledger, paths, snapshot)
    return readable.text if readable.main else None
