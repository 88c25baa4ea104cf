"""Recording quote checks on evidence, and the verdict the evidence suggests for a claim.

The matching itself lives in ``factledger.verify`` (the ledger knows nothing above it); this module
stores outcomes, keeps the pointer to the last snapshot that still held a quote, flags a claim whose
quote disappeared, and records the suggestion. A suggestion is derived data: it never bumps the claim's
version (a reviewer's edit must not conflict with a background re-check), but every change to it is
an Event, so the history shows why the tool suggested what it did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_events
from factledger.ledger.claims import change_status, flag_for_review, get_claim
from factledger.ledger.errors import InvalidInputError, NotFoundError
from factledger.ledger.models import Claim, Evidence, Snapshot, core_table
from factledger.ledger.statuses import ClaimStatus, QuoteStatus

HELD = frozenset({QuoteStatus.FOUND, QuoteStatus.FUZZY})
# Ids per IN (...) list: far below SQLite's bound-parameter limit, and a plan PostgreSQL caches well.
_CHUNK = 1000


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


def _lost_reason(captured: str) -> str:
    return f"quote no longer on source (captured {captured})"


def _check_event(evidence_id: int, claim_id: int, previous: QuoteStatus, check: QuoteCheck) -> NewEvent:
    before = {"evidence_id": evidence_id, "quote_status": previous.value}
    after = {
        "evidence_id": evidence_id,
        "quote_status": check.status.value,
        "score": check.score,
        "snapshot_id": check.snapshot_id,
        "detail": check.detail or None,
    }
    return NewEvent("quote.checked", claim_id, before, after, None)


def _chunks(values: Sequence[int]) -> list[Sequence[int]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def record_quote_checks(
    session: Session, actor: str, checks: Sequence[QuoteCheck]
) -> list[QuoteCheckOutcome]:
    """Store the outcome of each check on its evidence, in order: its status, score and span, and the
    last snapshot that still held the quote. A changed status gets a quote.checked event; a claim whose
    quote an earlier snapshot held and the checked one does not (``lost``) is flagged for review. A
    handful of statements serve the whole batch, not several per check.

    The quote.checked events of all changed checks are appended first, then the claims that lost a
    quote are flagged; each claim's own events keep their order.
    """
    if not checks:
        return []
    evidence = core_table(Evidence)
    ids = sorted({check.evidence_id for check in checks})
    # (claim id, status, last snapshot that held the quote) per evidence, as each check leaves it.
    state: dict[int, tuple[int, QuoteStatus, int | None]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(
                evidence.c.id,
                evidence.c.claim_id,
                evidence.c.quote_status,
                evidence.c.quote_found_snapshot_id,
            )
            .where(evidence.c.id.in_(chunk))
            .with_for_update()
        )
        for evidence_id, claim_id, status, found_in in rows:
            state[evidence_id] = (claim_id, QuoteStatus(status), found_in)
    outcomes: list[QuoteCheckOutcome] = []
    updates: dict[int, dict[str, Any]] = {}
    events: list[NewEvent] = []
    for check in checks:
        if check.evidence_id not in state:
            raise NotFoundError(f"no evidence with id {check.evidence_id}")
        claim_id, previous, found_in = state[check.evidence_id]
        lost = check.status == QuoteStatus.MISSING and found_in is not None
        if check.status in HELD:
            found_in = check.snapshot_id
        state[check.evidence_id] = (claim_id, check.status, found_in)
        outcome = QuoteCheckOutcome(check.evidence_id, claim_id, previous, check.status, lost)
        outcomes.append(outcome)
        updates[check.evidence_id] = {
            "b_id": check.evidence_id,
            "b_status": check.status.value,
            "b_score": check.score,
            "b_snapshot": check.snapshot_id,
            "b_start": check.start,
            "b_end": check.end,
            "b_detail": check.detail or None,
            "b_checked_at": check.checked_at,
            "b_found_in": found_in,
        }
        if outcome.changed:
            events.append(_check_event(check.evidence_id, claim_id, previous, check))
    session.execute(
        update(evidence)
        .where(evidence.c.id == bindparam("b_id"))
        .values(
            quote_status=bindparam("b_status"),
            quote_score=bindparam("b_score"),
            quote_snapshot_id=bindparam("b_snapshot"),
            quote_start=bindparam("b_start"),
            quote_end=bindparam("b_end"),
            quote_detail=bindparam("b_detail", type_=evidence.c.quote_detail.type),
            quote_checked_at=bindparam("b_checked_at", type_=evidence.c.quote_checked_at.type),
            quote_found_snapshot_id=bindparam("b_found_in"),
        ),
        list(updates.values()),
    )
    append_events(session, actor, events)
    _flag_lost(
        session, actor, [(o, c) for o, c in zip(outcomes, checks, strict=True) if o.lost and o.changed]
    )
    session.flush()
    return outcomes


def _flag_lost(session: Session, actor: str, lost: Sequence[tuple[QuoteCheckOutcome, QuoteCheck]]) -> None:
    snapshot_ids = sorted({check.snapshot_id for _, check in lost if check.snapshot_id is not None})
    fetched: dict[int, datetime] = {}
    for chunk in _chunks(snapshot_ids):
        rows = session.execute(select(Snapshot.id, Snapshot.fetched_at).where(Snapshot.id.in_(chunk)))
        for snapshot_id, at in rows:  # not dict(rows): a Result has keys(), so dict() misreads it
            fetched[snapshot_id] = at
    for outcome, check in lost:
        when = fetched.get(check.snapshot_id) if check.snapshot_id is not None else None
        flag_for_review(
            session, actor, outcome.claim_id, _lost_reason(f"{when or check.checked_at:%Y-%m-%d}")
        )


def set_suggestions(
    session: Session, actor: str, suggestions: Mapping[int, tuple[ClaimStatus | None, str]]
) -> list[int]:
    """Store what the evidence suggests for many claims (id -> (suggested, reason)), in a few statements.

    Returns the ids whose suggestion changed, in id order; each of them gets a claim.suggestion_changed
    Event.
    """
    claims = core_table(Claim)
    wanted = sorted(suggestions)
    current: dict[int, tuple[str | None, str | None]] = {}
    for chunk in _chunks(wanted):
        rows = session.execute(
            select(claims.c.id, claims.c.suggested_status, claims.c.suggestion_reason).where(
                claims.c.id.in_(chunk)
            )
        )
        current.update((claim_id, (status, reason)) for claim_id, status, reason in rows)
    changes: list[dict[str, Any]] = []
    events: list[NewEvent] = []
    for claim_id in wanted:
        if claim_id not in current:
            raise NotFoundError(f"no claim with id {claim_id}")
        suggested, reason = suggestions[claim_id]
        value = suggested.value if suggested is not None else None
        previous, previous_reason = current[claim_id]
        if previous == value and previous_reason == reason:
            continue
        changes.append({"b_id": claim_id, "b_suggested": value, "b_reason": reason})
        events.append(
            NewEvent(
                "claim.suggestion_changed", claim_id, {"suggested": previous}, {"suggested": value}, reason
            )
        )
    if changes:
        session.execute(
            update(claims)
            .where(claims.c.id == bindparam("b_id"))
            .values(suggested_status=bindparam("b_suggested"), suggestion_reason=bindparam("b_reason")),
            changes,
        )
        append_events(session, actor, events)
    return [change["b_id"] for change in changes]


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
