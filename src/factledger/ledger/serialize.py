"""Plain-dict views of ledger rows: the shapes of every command's --json output (the README documents them)."""

from __future__ import annotations

from typing import Any

from factledger.ledger.models import Claim, Event, Evidence, Snapshot, Source
from factledger.ledger.sources import SourceRow


def claim_summary(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "text": claim.text,
        # Set once a reviewer corrected the text (claim_edits.py): what was first recorded.
        "edited": claim.original_text is not None and claim.original_text != claim.text,
        "original_text": claim.original_text,
        "status": claim.status,
        "version": claim.version,
        "speaker": claim.speaker,
        "speaker_kind": claim.speaker_kind,
        "quoted_text": claim.quoted_text,
        "dates": claim.dates or [],
        "score": claim.score,
        "score_reasons": claim.score_reasons or [],
        "score_model": claim.score_model,
        "needs_review": claim.needs_review,
        "needs_review_reason": claim.needs_review_reason,
        "suggested": claim.suggested_status,
        "suggestion_reason": claim.suggestion_reason,
        "assignee": claim.assignee,
        "rationale": claim.rationale,
        "document_id": claim.document_id,
        # "headline" when the claim is its document's headline (no span: the headline is the title).
        "role": claim.role,
        "span": [claim.span_start, claim.span_end] if claim.span_start is not None else None,
        "created_at": claim.created_at,
        "updated_at": claim.updated_at,
    }


def evidence_summary(evidence: Evidence, source: Source) -> dict[str, Any]:
    return {
        "id": evidence.id,
        "claim_id": evidence.claim_id,
        "source_id": source.id,
        "url": source.url,
        "stance": evidence.stance,
        "quote": evidence.quote,
        "note": evidence.note,
        "quote_status": evidence.quote_status,
        "score": evidence.quote_score,
        "quote_detail": evidence.quote_detail or [],
        "quote_snapshot_id": evidence.quote_snapshot_id,
        "quote_span": [evidence.quote_start, evidence.quote_end]
        if evidence.quote_start is not None
        else None,
        "quote_found_snapshot_id": evidence.quote_found_snapshot_id,
        "source_health": source.health,
        "source_health_reason": source.health_reason,
        "added_by": evidence.added_by,
        "added_at": evidence.added_at,
    }


def source_summary(row: SourceRow) -> dict[str, Any]:
    source = row.source
    return {
        "id": source.id,
        "url": source.url,
        "domain": source.domain,
        "health": source.health,
        "health_reason": source.health_reason,
        "last_checked_at": source.last_checked_at,
        "next_check_at": source.next_check_at,
        "consecutive_failures": source.consecutive_failures,
        "snapshots": row.snapshot_count,
        "evidence": row.evidence_count,
    }


def event_summary(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at,
        "actor": event.actor,
        "kind": event.kind,
        "claim_id": event.claim_id,
        "before": event.before,
        "after": event.after,
        "rationale": event.rationale,
        "hash": event.hash.hex(),
    }


def snapshot_summary(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "source_id": snapshot.source_id,
        "fetched_at": snapshot.fetched_at,
        "http_status": snapshot.http_status,
        "final_url": snapshot.final_url,
        "redirects": snapshot.redirect_chain or [],
        "content_type": snapshot.content_type,
        "content_length": snapshot.content_length,
        "payload_sha256": snapshot.payload_sha256,
        "drift": snapshot.drift,
        "revisit": snapshot.is_revisit,
        "warc_filename": snapshot.warc_filename,
        "warc_offset": snapshot.warc_offset,
        "warc_length": snapshot.warc_length,
        "error": f"{snapshot.error_kind}: {snapshot.error_message}" if snapshot.error_kind else None,
        "duration_ms": snapshot.duration_ms,
    }
