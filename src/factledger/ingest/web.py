"""Ingesting a web page: archive it first, then take the claims from the capture.

Reading the archived capture rather than fetching the page separately means the appearance of every
claim found in it is preserved in a WARC, and the Document and the Source share one URL: the claims'
evidence of where they appeared survives the page changing or disappearing.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace
from datetime import date

from factledger.archive.extract import decode_body
from factledger.archive.leases import make_due
from factledger.archive.reading import read_response, snapshot_text
from factledger.archive.runner import ArchivePaths, CaptureHooks, RunOptions, RunSummary, run_archive
from factledger.ingest.markup import html_to_text
from factledger.ingest.reader import SourceDocument, parse_text
from factledger.ledger.database import Ledger
from factledger.ledger.errors import InvalidInputError, LedgerError
from factledger.ledger.models import Snapshot, Source
from factledger.ledger.snapshots import latest_snapshot
from factledger.ledger.sources import get_or_create_source

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


class PageUnavailableError(InvalidInputError):
    """The page could not be archived, so there is nothing to read the claims from."""


@dataclass(frozen=True)
class CapturedPage:
    document: SourceDocument
    source_id: int
    snapshot_id: int


def is_url(argument: str) -> bool:
    return argument.startswith(("http://", "https://"))


def capture_page(
    ledger: Ledger,
    actor: str,
    url: str,
    paths: ArchivePaths,
    options: RunOptions,
    *,
    hooks: CaptureHooks | None = None,
) -> CapturedPage:
    """Archive ``url`` now (one capture, through the archiver) and read it back as a document.

    Raises InvalidInputError for a URL that cannot be a source and PageUnavailableError when the
    capture fails (network error, refused address, HTTP error, no text)."""
    with ledger.write() as session:
        source = get_or_create_source(session, url)
        source_id = source.id
    make_due(ledger, [source_id])
    summary = asyncio.run(
        run_archive(
            ledger,
            actor,
            paths,
            replace(options, only_source_ids=(source_id,), limit=1),
            hooks=hooks,
        )
    )
    with ledger.read() as session:
        source = _source(session.get(Source, source_id), url)
        snapshot = latest_snapshot(session, source_id, with_payload=False)
    if summary.attempted == 0 or snapshot is None:
        raise PageUnavailableError(
            f"{url}: another archive worker is capturing this page right now; try again in a minute"
        )
    problem = _capture_problem(snapshot, summary)
    if problem is not None:
        raise PageUnavailableError(f"{url}: could not archive the page ({problem})")
    text = snapshot_text(ledger, paths, snapshot, "main") or snapshot_text(ledger, paths, snapshot, "full")
    if not text or not text.strip():
        kind = snapshot.content_type or "unknown content type"
        raise PageUnavailableError(f"{url}: the archived page has no text to read ({kind})")
    document = parse_text(text, title=source.title or None, fmt="text", url=source.url, source_name=url)
    if document.published is None:
        document = replace(document, published=_published(ledger, paths, snapshot))
    return CapturedPage(document=document, source_id=source_id, snapshot_id=snapshot.id)


def _source(source: Source | None, url: str) -> Source:
    if source is None:  # pragma: no cover - created above in a committed transaction
        raise PageUnavailableError(f"{url}: the source disappeared while it was being archived")
    return source


def _capture_problem(snapshot: Snapshot, summary: RunSummary) -> str | None:
    if snapshot.error_kind:
        detail = " ".join((snapshot.error_message or snapshot.error_kind).split())  # always one line
        if snapshot.error_kind == "blocked":
            detail += "; pass --allow-private to fetch from a private network"
        return detail
    status = snapshot.http_status
    if status is None or not 200 <= status < 300:
        return f"HTTP {status}" if status is not None else "no response"
    if summary.failed:
        return next(iter(summary.failed_by_kind), "failed")
    return None


def _published(ledger: Ledger, paths: ArchivePaths, snapshot: Snapshot) -> date | None:
    """The publication date the page declares in its markup (meta tags, <time>), when it is HTML."""
    if not (snapshot.content_type or "").lower().startswith(_HTML_TYPES):
        return None
    try:
        response = read_response(ledger, paths, snapshot)
    except LedgerError:
        return None
    headers = {name.lower(): value.strip().lower() for name, value in response.headers}
    if headers.get("content-encoding", "identity") not in ("", "identity"):
        return None  # compressed on the wire; the date is a nicety, not worth decompressing for
    declared = _CHARSET.search(headers.get("content-type", ""))
    page, _ = decode_body(response.payload, declared.group(1) if declared else None, html=True)
    return html_to_text(page).published
