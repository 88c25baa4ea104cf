"""The commit stage: a group of finished captures appended to the WARC file, made durable, and recorded.

Order of durability, which is what makes a kill -9 harmless: the WARC records are written and fsynced
(or, in a bucket, PUT as one object), the group's texts are made durable (TextStore.make_durable), and
only then are the snapshots committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from factledger.archive.capture_store import open_store
from factledger.archive.fetch import FetchResult
from factledger.archive.health import classify
from factledger.archive.leases import LeasedSource
from factledger.archive.mementos import url_to_fetch
from factledger.archive.options import AfterCommit, ArchivePaths, RunOptions
from factledger.archive.prepare import Prepared
from factledger.archive.warc.records import WarcLocation
from factledger.ledger.clock import utcnow
from factledger.ledger.database import Ledger
from factledger.ledger.snapshots import CaptureRecord, PreviousCapture, RecordedCapture, record_captures


@dataclass
class Finished:
    source: LeasedSource
    result: FetchResult
    prepared: Prepared | None
    prior: PreviousCapture | None
    revisit: bool


class Committer:
    """Appends finished captures to this run's WARC file and records them, a group at a time."""

    def __init__(
        self,
        ledger: Ledger,
        actor: str,
        paths: ArchivePaths,
        options: RunOptions,
        after_commit: AfterCommit | None,
    ) -> None:
        self.ledger = ledger
        self.actor = actor
        self.options = options
        self.after_commit = after_commit
        store = open_store(paths)
        self.warcs = store.warc_writer(options.worker, options.max_warc_bytes)
        self.texts = store.texts

    def commit(self, group: list[Finished]) -> list[RecordedCapture]:
        """Blocking: WARC append, one fsync, then the snapshot rows (see the module docstring)."""
        try:
            locations = [
                self.warcs.append_built(item.prepared.built.data, item.prepared.built.response_length)
                if item.prepared is not None
                else None
                for item in group
            ]
            self.warcs.sync()
            self.texts.make_durable(
                item.prepared.full_text_ref for item in group if item.prepared and item.prepared.full_text_ref
            )
        finally:
            for item in group:
                if item.result.body is not None:
                    item.result.body.discard()
        records = [self._record(item, location) for item, location in zip(group, locations, strict=True)]
        with self.ledger.write() as session:
            recorded = record_captures(session, self.actor, records)
        self.warcs.committed()  # the files this group finished are sealed: the next start skips them
        if self.after_commit is not None:
            derived = {
                item.prepared.full_text_ref: item.prepared.text_derived
                for item in group
                if item.prepared is not None
                and item.prepared.full_text_ref is not None
                and item.prepared.text_derived is not None
            }
            self.after_commit(recorded, derived)
        return recorded

    def _record(self, item: Finished, location: WarcLocation | None) -> CaptureRecord:
        result, source = item.result, item.source
        verdict = classify(
            requested_url=url_to_fetch(source.url),  # what was asked for: a memento's raw form
            final_url=result.final_url,
            status=result.status,
            error_kind=result.error_kind,
            error_message=result.error_message,
        )
        failures = source.consecutive_failures + 1 if verdict.is_failure else 0
        # A page fetched fine but whose text could not be extracted (over a bound, or unreadable): the
        # source is reachable, so its health stands, but the capture and the source say why it has no
        # text, and its quotes are marked no_text (verify/service.py) rather than left unchecked.
        error_kind: str | None = result.error_kind
        error_message, reason = result.error_message, verdict.reason
        prepared, prior = item.prepared, item.prior
        extract_error: tuple[str | None, str | None] = (None, None)
        if item.revisit and prior is not None:
            extract_error = (prior.extract_error_kind, prior.extract_error)  # same bytes, same outcome
        elif prepared is not None:
            extract_error = (prepared.extract_error_kind, prepared.extract_error)
        if extract_error[0] and error_kind is None:
            error_kind, error_message = extract_error
            problem = f"{error_kind}: {error_message}"
            reason = f"{reason}; {problem}" if reason else problem
        revisit = item.revisit
        if revisit and item.prior is not None:
            full_text_ref = item.prior.full_text_ref  # same bytes, same text: no second extraction
        else:
            full_text_ref = item.prepared.full_text_ref if item.prepared else None
        return CaptureRecord(
            source_id=source.id,
            fetched_at=result.started_at,
            health=verdict.health,
            health_reason=reason,
            next_check_at=self.options.recheck.next_check(verdict.health, failures, utcnow()),
            http_status=result.status,
            final_url=result.final_url,
            redirect_chain=[
                {"url": h.url, "status": h.status, "location": h.location} for h in result.redirects
            ]
            or None,
            content_type=result.content_type,
            content_length=result.body_length if result.body is not None else None,
            payload_sha256=result.payload_sha256 if location is not None else None,
            error_kind=error_kind,
            error_message=error_message,
            duration_ms=result.duration_ms,
            warc_filename=location.filename if location else None,
            warc_offset=location.offset if location else None,
            warc_length=location.length if location else None,
            is_revisit=revisit,
            full_text_ref=full_text_ref,
            title=item.prepared.title if item.prepared else None,
            previous=item.prior,
            previous_known=True,
        )

    def close(self) -> None:
        self.warcs.close()
