"""Quote verification as part of every archive run.

The archiver knows nothing of quotes; it takes ``CaptureHooks``, and these are ours:
- ``normalize_new_text`` runs in the archiver's worker processes, beside the text extraction: each new
  text of a source that a quote cites is normalized once and stored next to it (verify/textcache.py),
  so no check normalizes a page. A text no quote is checked against is left alone (normalizing costs
  about as much as extracting); if a quote cites it later, its first check normalizes and stores it;
- ``after_commit`` runs once per committed group of captures and re-checks, in one pass, the quotes
  citing those sources, so a quote that a new capture lost is flagged in the same run.
"""

from __future__ import annotations

from collections.abc import Sequence

from factledger.archive.runner import ArchivePaths, CaptureHooks
from factledger.archive.textstore import TextStore
from factledger.ledger.database import Ledger
from factledger.ledger.evidence_queries import quoted_source_ids
from factledger.ledger.snapshots import RecordedCapture
from factledger.ledger.statuses import EXTRACT_ERROR_KINDS
from factledger.verify.normalize import normalize_for_matching
from factledger.verify.service import verify_quotes
from factledger.verify.textcache import SIDECAR_KIND, store_normalized


def normalize_new_text(texts: TextStore, ref: str, text: str) -> None:
    """Store the normalized form of a newly captured text (module level: it is sent to worker processes)."""
    if texts.has_sidecar(ref, SIDECAR_KIND):
        return  # a text seen before (an unchanged page) was normalized then
    store_normalized(texts, ref, normalize_for_matching(text))


def _has_checkable_text(recorded: RecordedCapture) -> bool:
    # A failed or error-page capture changes nothing the quotes are checked against; one whose text
    # could not be extracted does (its quotes become no_text, with the reason).
    snapshot = recorded.snapshot
    status = snapshot.http_status
    readable = snapshot.full_text_ref is not None or snapshot.error_kind in EXTRACT_ERROR_KINDS
    return readable and status is not None and 200 <= status < 300


def capture_hooks(ledger: Ledger, actor: str, paths: ArchivePaths) -> CaptureHooks:
    """The hooks every archive run takes: normalize new texts, then re-verify the quotes of each group."""

    def quoted_sources(source_ids: Sequence[int]) -> set[int]:
        with ledger.read() as session:
            return quoted_source_ids(session, source_ids)

    def after_commit(recorded: Sequence[RecordedCapture]) -> None:
        source_ids = {capture.snapshot.source_id for capture in recorded if _has_checkable_text(capture)}
        if source_ids:
            verify_quotes(ledger, actor, paths, source_ids=source_ids, quoted_only=True)

    return CaptureHooks(on_new_text=normalize_new_text, text_wanted=quoted_sources, after_commit=after_commit)
