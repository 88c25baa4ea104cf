"""Quote verification as part of every archive run.

The archiver knows nothing of quotes; it takes ``CaptureHooks``, and these are ours:
- ``normalize_new_text`` (verify/textcache.py, a module light enough to import in the archiver's worker
  processes) runs there, beside the text extraction: each new text of a source that a quote cites is
  normalized once and stored next to it,
  so no check normalizes a page. A text no quote is checked against is left alone (normalizing costs
  about as much as extracting); if a quote cites it later, its first check normalizes and stores it.
  The normalized text also goes back to the run's own process with the capture, so the checks of its
  group find it in memory instead of reading and inflating the sidecar just written;
- ``after_commit`` runs once per committed group of captures and re-checks, in one pass, the quotes
  citing those sources, so a quote that a new capture lost is flagged in the same run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from factledger.archive.capture_store import open_store
from factledger.archive.runner import ArchivePaths, CaptureHooks
from factledger.ledger.database import Ledger
from factledger.ledger.evidence_queries import quoted_source_ids
from factledger.ledger.snapshots import RecordedCapture
from factledger.ledger.statuses import EXTRACT_ERROR_KINDS
from factledger.verify.normalize import NormalizedText
from factledger.verify.service import CACHED_TEXTS, verify_quotes
from factledger.verify.textcache import EncodedNormalized, NormalizedTextCache, normalize_new_text


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

    def after_commit(recorded: Sequence[RecordedCapture], derived: Mapping[str, object]) -> None:
        # The group's own cache, as verify_quotes would make, with the texts the workers sent back in it;
        # it goes with the group, so no page's text outlives its check.
        texts = NormalizedTextCache(open_store(paths).texts, max(CACHED_TEXTS, len(derived)))
        for ref, sent in derived.items():
            normalized = sent.decoded() if isinstance(sent, EncodedNormalized) else sent  # not pickled
            if isinstance(normalized, NormalizedText):
                texts.put(ref, normalized)
        source_ids = {capture.snapshot.source_id for capture in recorded if _has_checkable_text(capture)}
        if source_ids:
            verify_quotes(ledger, actor, paths, source_ids=source_ids, quoted_only=True, texts=texts)

    return CaptureHooks(on_new_text=normalize_new_text, text_wanted=quoted_sources, after_commit=after_commit)
