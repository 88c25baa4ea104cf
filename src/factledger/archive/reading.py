"""Reading captures back: the stored response, its full text, and its main text (made on first use).

Main text (trafilatura) is slow, about 75 ms a page, and is only needed for reading, so the archiver
stores the fast full text at capture time and the main text is extracted here the first time someone
asks for it, then kept in the text store like the rest.
"""

from __future__ import annotations

from typing import Literal

from factledger.archive.runner import ArchivePaths
from factledger.archive.textstore import TextStore
from factledger.archive.warc.reader import StoredResponse, read_record
from factledger.archive.warc.records import WarcLocation
from factledger.ledger import snapshot_queries
from factledger.ledger.database import Ledger
from factledger.ledger.errors import NotFoundError
from factledger.ledger.rows import Snapshot
from factledger.text import extract_text

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
        snapshot_queries.set_main_text_ref(session, snapshot.id, ref)
    return extracted.main_text
