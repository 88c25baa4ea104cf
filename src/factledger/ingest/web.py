"""Ingesting a web page: archive it first, then take the claims from the capture.

Reading the archived capture rather than fetching the page separately means the appearance of every
claim found in it is preserved in a WARC, and the Document and the Source share one URL: the claims'
evidence of where they appeared survives the page changing or disappearing.

What ingest reads from a capture (main text, title, published date) is ``archive.reading.readable_text_of``:
derived once, from one read of its WARC record, and kept in the text store under the payload's digest, so
ingesting the page again, reading its main text, or any capture with the same bytes, reads it from there. It is read with ``ingest.reader.read_page``, as an
HTML file is, so a saved page and the same page by URL give the same document.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from factledger.archive.reading import readable_text_of
from factledger.archive.runner import ArchivePaths, CaptureHooks, RunOptions, RunSummary, capture_sources
from factledger.ingest.reader import SourceDocument, check_size, read_page
from factledger.ledger.database import Ledger
from factledger.ledger.errors import InvalidInputError
from factledger.ledger.snapshot_queries import latest_snapshot_of_url
from factledger.ledger.sources import get_or_create_source
from factledger.ledger.statuses import EXTRACT_ERROR_KINDS


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
    max_bytes: int | None = None,
) -> CapturedPage:
    """Archive ``url`` now (one capture, through the archiver) and read it back as a document.

    Raises InvalidInputError for a URL that cannot be a source and PageUnavailableError when the
    capture fails (network error, refused address, HTTP error, no text)."""
    with ledger.write() as session:
        source = get_or_create_source(session, url)
        source_id, source_url = source.id, source.url
    summary = asyncio.run(capture_sources(ledger, actor, paths, options, [source_id], hooks=hooks))
    with ledger.read() as session:
        found = latest_snapshot_of_url(session, source_url)
    if found is None:  # pragma: no cover - created above in a committed transaction
        raise PageUnavailableError(f"{url}: the source disappeared while it was being archived")
    source, snapshot = found
    if summary.attempted == 0 or snapshot is None:
        raise PageUnavailableError(
            f"{url}: another archive worker is capturing this page right now; try again in a minute"
        )
    if snapshot.error_kind in EXTRACT_ERROR_KINDS:  # over an extraction bound, or unreadable
        reason = " ".join(f"{snapshot.error_kind}: {snapshot.error_message}".split())
        raise PageUnavailableError(f"{url}: the page was archived, but no text could be extracted ({reason})")
    problem = _capture_problem(snapshot.error_kind, snapshot.error_message, snapshot.http_status, summary)
    if problem is not None:
        raise PageUnavailableError(f"{url}: could not archive the page ({problem})")
    readable = readable_text_of(ledger, paths, snapshot)
    if not readable.text or not readable.text.strip():
        kind = snapshot.content_type or "unknown content type"
        raise PageUnavailableError(f"{url}: the archived page has no text to read ({kind})")
    check_size(len(readable.text.encode("utf-8")), max_bytes, url)
    if readable.title is None and source.title:
        readable = replace(readable, title=source.title)
    document = read_page(readable, url=source.url, source_name=url)
    return CapturedPage(document=document, source_id=source_id, snapshot_id=snapshot.id)


def _capture_problem(
    error_kind: str | None, error_message: str | None, http_status: int | None, summary: RunSummary
) -> str | None:
    if error_kind:
        detail = " ".join((error_message or error_kind).split())  # always one line
        if error_kind == "blocked":
            detail += "; pass --allow-private to fetch from a private network"
        return detail
    if http_status is None or not 200 <= http_status < 300:
        return f"HTTP {http_status}" if http_status is not None else "no response"
    if summary.failed:
        return next(iter(summary.failed_by_kind), "failed")
    return None
