"""What goes into a WACZ bundle from the ledger and the WARC store: the captures of the cited sources,
their pages, and the ledger's record of each capture."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy.orm import Session

from factledger.archive.warc.records import WarcLocation
from factledger.exchange.wacz_records import StoreReader
from factledger.ledger.export_queries import cited_captures


@dataclass
class Page:
    url: str
    ts: str
    title: str | None
    source_id: int


@dataclass
class CopyResult:
    captures: int = 0
    requests: int = 0
    unresolved_revisits: int = 0


def selected_snapshots(session: Session, claim_id: int | None) -> Iterator[Any]:
    """Every archived capture of every source the selected claims cite, oldest first.

    All captures, not just the latest: the history (a page that changed or disappeared) is part of the
    evidence, and a revisit record replays only with the earlier full capture it refers to, which is
    always a capture of the same source."""
    yield from cited_captures(session, claim_id)


def copy_captures(
    session: Session,
    reader: StoreReader,
    claim_id: int | None,
    warc_out: IO[bytes],
    snapshots_out: IO[str],
    pages: dict[str, Page],
) -> CopyResult:
    copied = CopyResult()
    warcinfo_done: set[str] = set()
    seen: set[tuple[str, int]] = set()
    full_payloads: set[tuple[int, str | None]] = set()
    revisits: list[tuple[int, str | None]] = []
    for row in selected_snapshots(session, claim_id):
        filename: str = row.warc_filename
        if (filename, row.warc_offset) in seen:
            continue
        seen.add((filename, row.warc_offset))
        if filename not in warcinfo_done:
            # Records name their file's warcinfo (WARC-Warcinfo-ID); carrying it along keeps that resolvable.
            warcinfo_done.add(filename)
            if (warcinfo := reader.warcinfo(filename)) is not None:
                warc_out.write(warcinfo)
        result = reader.copy_capture(WarcLocation(filename, row.warc_offset, row.warc_length), warc_out)
        copied.captures += 1
        copied.requests += result.request_copied
        if row.is_revisit:
            revisits.append((row.source_id, row.payload_sha256))
        else:
            full_payloads.add((row.source_id, row.payload_sha256))
        url = result.head.target_uri or row.final_url or row.url
        # Oldest first, so the last capture of a URL is the one its page opens at.
        pages[url] = Page(url=url, ts=result.head.date, title=row.title, source_id=row.source_id)
        snapshots_out.write(
            json.dumps(
                {
                    "snapshot_id": row.id,
                    "source_id": row.source_id,
                    "source_url": row.url,
                    "fetched_at": row.fetched_at.isoformat(),
                    "http_status": row.http_status,
                    "final_url": row.final_url,
                    "drift": row.drift,
                    "is_revisit": row.is_revisit,
                    "payload_sha256": row.payload_sha256,
                    "warc_record_id": result.head.record_id,
                    "warc_date": result.head.date,
                    "warc_target_uri": result.head.target_uri,
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )
            + "\n"
        )
    copied.unresolved_revisits = sum(1 for key in revisits if key not in full_payloads)
    return copied


def write_pages(pages: dict[str, Page], out: IO[str]) -> None:
    header = {"format": "json-pages-1.0", "id": "pages", "title": "Cited sources"}
    out.write(json.dumps(header) + "\n")
    for page in sorted(pages.values(), key=lambda page: (page.source_id, page.url)):
        entry: dict[str, Any] = {
            "id": hashlib.sha256(page.url.encode("utf-8")).hexdigest()[:16],
            "url": page.url,
            "ts": page.ts,
        }
        if page.title:
            entry["title"] = page.title
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")
