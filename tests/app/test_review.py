"""app.review: the reviewer's decisions, one implementation for the CLI and the review app, with the
version check that turns a concurrent edit into a conflict instead of a lost update."""

from __future__ import annotations

import pytest

from factledger.app import claims, review
from factledger.ledger.database import Ledger
from factledger.ledger.errors import InvalidInputError, VersionConflictError
from factledger.ledger.statuses import ClaimStatus, Stance

pytestmark = pytest.mark.integration


def _claim(ledger: Ledger) -> dict[str, object]:
    return claims.add_claim(lambda: ledger, "alice", "The river flooded twice in 2023.", "A. Mayor", [])


def test_a_stale_version_is_a_conflict_and_last_change_says_what_the_other_did(ledger: Ledger) -> None:
    claim = _claim(ledger)
    claim_id, seen = int(claim["id"]), int(claim["version"])  # type: ignore[call-overload]
    changed = review.set_status(ledger, "bob", claim_id, ClaimStatus.IN_REVIEW, expect_version=seen)
    assert changed.version == seen + 1

    with pytest.raises(VersionConflictError):
        review.assign(ledger, "alice", claim_id, "alice", expect_version=seen)
    with pytest.raises(VersionConflictError):
        review.add_note(ledger, "alice", claim_id, "checked the minutes", expect_version=seen)

    other = review.last_change(ledger, claim_id)
    assert other is not None
    assert (other.actor, other.kind) == ("bob", "claim.status_changed")
    assert other.after is not None
    assert other.after["status"] == ClaimStatus.IN_REVIEW.value
    assert claims.show_claim(ledger, claim_id)["assignee"] is None  # nothing was overwritten


def test_writes_at_the_current_version_land_in_the_history(ledger: Ledger) -> None:
    claim_id = int(_claim(ledger)["id"])  # type: ignore[call-overload]
    assigned = review.assign(ledger, "alice", claim_id, "bob", expect_version=1)
    review.add_note(ledger, "alice", claim_id, "over to Bob", expect_version=assigned.version)
    evidence, source = review.cite(
        ledger, "alice", claim_id, "https://example.org/report", Stance.SUPPORTS, quote="flooded twice"
    )
    assert (evidence.source_id, source.url) == (source.id, "https://example.org/report")
    kinds = [event["kind"] for event in claims.claim_history(ledger, claim_id)]
    assert kinds[-3:] == ["claim.assigned", "claim.noted", "evidence.added"]


def test_accepting_without_a_suggestion_is_refused(ledger: Ledger) -> None:
    claim_id = int(_claim(ledger)["id"])  # type: ignore[call-overload]
    with pytest.raises(InvalidInputError, match="no suggested verdict"):
        review.accept_suggestion(ledger, "alice", claim_id)
