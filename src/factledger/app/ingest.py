"""Ingesting documents (files or web pages by URL) into check-worthy claims: ``factledger ingest`` and the demo.

A URL is archived first, through the archiver with the quote checks wired (app.capture), and its claims
are read from the capture.

All or nothing: every argument is read first (each file checked, decoded and parsed, each URL
archived and read back), and only when all of them could be read are their claims stored, in one
transaction. So `ingest good.txt bad.txt` exits 1 having ingested nothing; a page archived before a
later argument failed stays in the archive (a capture is a record of the page, not an ingest).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from factledger.app.capture import quote_checks
from factledger.archive.runner import ArchivePaths, RunOptions
from factledger.ingest.reader import SourceDocument, check_size, read_document
from factledger.ingest.service import IngestReport, ingest_document
from factledger.ingest.web import capture_page, is_url
from factledger.ledger.database import Ledger
from factledger.ledger.errors import InvalidInputError


@dataclass(frozen=True)
class Ingested:
    """One argument's outcome: what was stored, and the capture a URL was read from."""

    argument: str  # the path or URL as given
    report: IngestReport
    snapshot_id: int | None


def _read_url(
    ledger: Ledger, actor: str, url: str, paths: ArchivePaths, allow_private: bool, max_bytes: int | None
) -> tuple[SourceDocument, int]:
    captured = capture_page(
        ledger,
        actor,
        url,
        paths,
        RunOptions(allow_private=allow_private),
        # Quotes that already cite this page are re-checked against the new capture, as in `archive run`.
        hooks=quote_checks(ledger, actor, paths),
        max_bytes=max_bytes,
    )
    return captured.document, captured.snapshot_id


Progress = Callable[[str, int, int], None]  # (what is happening, how many done, of how many)


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


def ingest(
    open_ledger: Callable[[], Ledger],
    actor: str,
    paths: ArchivePaths,
    arguments: Sequence[str],
    min_score: float,
    *,
    allow_private: bool = False,
    max_bytes: int | None = None,
    progress: Progress = _no_progress,
) -> list[Ingested]:
    """Ingest every path or URL, all or nothing (see the module docstring); raises InvalidInputError
    for a missing, unreadable or oversized file and PageUnavailableError for a page that cannot be
    archived, before any claim is stored.

    The ledger is opened (``open_ledger``) only once the files are known to be readable, so a bad
    argument leaves no ledger behind where there was none."""
    local = [argument for argument in arguments if not is_url(argument)]
    for argument in local:  # the cheap checks first: a typo fails before any page is fetched
        path = Path(argument)
        if not path.is_file():
            raise InvalidInputError(f"no such file: {argument}")
        check_size(path.stat().st_size, max_bytes, argument)
    total = len(arguments)
    documents: list[tuple[str, SourceDocument, int | None]] = []
    for done, argument in enumerate(arguments):
        progress(f"reading {argument}", done, total)
        if is_url(argument):
            page, capture_id = _read_url(open_ledger(), actor, argument, paths, allow_private, max_bytes)
            documents.append((argument, page, capture_id))
        else:
            documents.append((argument, read_document(Path(argument), max_bytes=max_bytes), None))
    outcomes = []
    with open_ledger().write() as session:
        for done, (argument, document, snapshot_id) in enumerate(documents):
            progress(f"finding claims in {argument}", done, total)
            report = ingest_document(session, actor, document, min_score)
            outcomes.append(Ingested(argument, report, snapshot_id))
    progress("done", total, total)
    return outcomes
