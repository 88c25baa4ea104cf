"""Recording quote checks on evidence, and the verdict the evidence suggests for a claim.

The matching itself lives in ``factledger.verify`` (the ledger knows nothing above it); this module
stores outcomes, keeps the pointer to the last snapshot that still held a quote, flags a claim whose
quote disappeared, and records the suggestion. A suggestion is derived data: it never bumps the claim's
version (a reviewer's edit must not conflict with a background re-check), but every change to it is
an Event, so the history shows why the tool suggested what it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_event
from factledger.ledger.claims import change_status, flag_for_review, get_claim
from factledger.ledger.errors import InvalidInputError, NotFoundError
from factledger.ledger.models import Claim, Evidence, Snapshot
from factledger.ledger.statuses import ClaimStatus, QuoteStatus

HELD = frozenset({QuoteStatus.FOUND, QuoteStatus.FUZZY})


@dataclass(frozen=True)
class QuoteCheck:
    evidence_id: int
    status: QuoteStatus
    checked_at: datetime
    score: float | None = None
    snapshot_id: int | None = None
    start: int | None = None
    end: int | None = None
    detail: list[str] | None = None


@dataclass(frozen=True)
class QuoteCheckOutcome:
    evidence_id: int
    claim_id: int
    previous: QuoteStatus
    current: QuoteStatus
    lost: bool  # an earlier snapshot held the quote and the newest one does not

    @property
    def changed(self) -> bool:
        return self.previous != self.current


def record_quote_check(session: Session, actor: str, check: QuoteCheck) -> QuoteCheckOutcome:
    evidence = session.get(Evidence, check.evidence_id, with_for_update=True)
    if evidence is None:
        raise NotFoundError(f"no evidence with id {check.evidence_id}")
    previous = QuoteStatus(evidence.quote_status)
    lost = check.status == QuoteStatus.MISSING and evidence.quote_found_snapshot_id is not None
    evidence.quote_status = check.status.value
    evidence.quote_score = check.score
    evidence.quote_snapshot_id = check.snapshot_id
    evidence.quote_start = check.start
    evidence.quote_end = check.end
    evidence.quote_detail = check.detail or None
    evidence.quote_checked_at = check.checked_at
    if check.status in HELD:
        evidence.quote_found_snapshot_id = check.snapshot_id
    outcome = QuoteCheckOutcome(evidence.id, evidence.claim_id, previous, check.status, lost)
    if outcome.changed:
        before = {"evidence_id": evidence.id, "quote_status": previous.value}
        after = {
            "evidence_id": evidence.id,
            "quote_status": check.status.value,
            "score": check.score,
            "snapshot_id": check.snapshot_id,
            "detail": check.detail or None,
        }
        append_event(session, actor, NewEvent("quote.checked", evidence.claim_id, before, after, None))
    if lost and outcome.changed:
        snapshot = session.get(Snapshot, check.snapshot_id) if check.snapshot_id else None
        captured = f"{snapshot.fetched_at:%Y-%m-%d}" if snapshot else f"{check.checked_at:%Y-%m-%d}"
        flag_for_review(session, actor, evidence.claim_id, f"quote no longer on source (captured {captured})")
    session.flush()
    return outcome


def set_suggestion(
    session: Session, actor: str, claim_id: int, suggested: ClaimStatus | None, reason: str
) -> bool:
    """Store what the evidence suggests. Returns True when it changed (and an Event was written)."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFoundError(f"no claim with id {claim_id}")
    value = suggested.value if suggested is not None else None
    if claim.suggested_status == value and claim.suggestion_reason == reason:
        return False
    before = {"suggested": claim.suggested_status}
    claim.suggested_status = value
    claim.suggestion_reason = reason
    append_event(
        session, actor, NewEvent("claim.suggestion_changed", claim_id, before, {"suggested": value}, reason)
    )
    session.flush()
    return True


def accept_suggestion(
    session: Session, actor: str, claim_id: int, *, note: str | None = None, expect_version: int | None = None
) -> Claim:
    claim = get_claim(session, claim_id)
    if claim.suggested_status is None:
        raise InvalidInputError(f"claim {claim_id} has no suggested verdict yet (run `factledger verify`)")
    target = ClaimStatus(claim.suggested_status)
    why = f"accepted the suggested verdict: {claim.suggestion_reason}"
    rationale = f"{note} ({why})" if note else why
    return change_status(
        session,
        actor,
        claim_id,
        target,
        rationale=rationale,
        expect_version=expect_version,
        event_kind="claim.suggestion_accepted",
    )
