"""Ingesting documents (files or web pages by URL) into check-worthy claims: ``factledger ingest`` and the demo.

A URL is archived first, through the archiver with the quote checks wired (app.capture), and its claims
are read from the capture; each document is then stored in its own transaction, so a bad argument
later in the list leaves the documents before it ingested.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from factledger.app.capture import quote_checks
from factledger.archive.runner import ArchivePaths, RunOptions
from factledger.ingest.reader import SourceDocument, read_document
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
    ledger: Ledger, actor: str, url: str, paths: ArchivePaths, allow_private: bool
) -> tuple[SourceDocument, int]:
    captured = capture_page(
        ledger,
        actor,
        url,
        paths,
        RunOptions(allow_private=allow_private),
        # Quotes that already cite this page are re-checked against the new capture, as in `archive run`.
        hooks=quote_checks(ledger, actor, paths),
    )
    return captured.document, captured.snapshot_id


def ingest(
    open_ledger: Callable[[], Ledger],
    actor: str,
    paths: ArchivePaths,
    arguments: Sequence[str],
    min_score: float,
    *,
    allow_private: bool = False,
) -> list[Ingested]:
    """Ingest each path or URL in turn; raises InvalidInputError for a missing file or a page that
    cannot be archived (PageUnavailableError).

    The ledger is opened (``open_ledger``) only once an argument is known to be readable, so a bad
    first argument leaves no ledger behind where there was none."""
    outcomes = []
    for argument in arguments:
        snapshot_id: int | None = None
        if is_url(argument):
            document, snapshot_id = _read_url(open_ledger(), actor, argument, paths, allow_private)
        else:
            path = Path(argument)
            if not path.is_file():
                raise InvalidInputError(f"no such file: {argument}")
            document = read_document(path)
        with open_ledger().write() as session:
            report = ingest_document(session, actor, document, min_score)
        outcomes.append(Ingested(argument, report, snapshot_id))
    return outcomes
