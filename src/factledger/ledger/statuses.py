"""Claim statuses, their allowed transitions and the vocabularies of the other enumerations."""

from __future__ import annotations

from enum import StrEnum

from factledger.ledger.errors import InvalidInputError, TransitionError


class ClaimStatus(StrEnum):
    UNREVIEWED = "unreviewed"
    IN_REVIEW = "in_review"
    SUPPORTED = "supported"
    REFUTED = "refuted"
    MIXED = "mixed"
    UNVERIFIABLE = "unverifiable"

    @property
    def is_verdict(self) -> bool:
        return self in VERDICTS


VERDICTS = frozenset(
    {ClaimStatus.SUPPORTED, ClaimStatus.REFUTED, ClaimStatus.MIXED, ClaimStatus.UNVERIFIABLE}
)

# unreviewed -> in_review -> verdict; a verdict can be reopened to in_review. A reviewer may also give a
# verdict straight from unreviewed: the Event still records that the claim was never "in review".
ALLOWED_TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.UNREVIEWED: frozenset({ClaimStatus.IN_REVIEW, *VERDICTS}),
    ClaimStatus.IN_REVIEW: frozenset(VERDICTS | {ClaimStatus.UNREVIEWED}),
    **{verdict: frozenset({ClaimStatus.IN_REVIEW}) for verdict in VERDICTS},
}


class Stance(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    CONTEXT = "context"


class SourceHealth(StrEnum):
    UNKNOWN = "unknown"
    OK = "ok"
    REDIRECTED = "redirected"
    GONE = "gone"
    ERROR = "error"
    # Our own address guard refused it (a private, loopback or link-local address): our policy, not the
    # source's fault, so it flags no claim; --allow-private / allow_private_networks lifts it.
    REFUSED = "refused"


class QuoteStatus(StrEnum):
    """Whether an evidence quote is in the source's archived text (README, "Quote statuses")."""

    UNCHECKED = "unchecked"  # not checked yet, or the evidence has no quote
    FOUND = "found"
    FUZZY = "fuzzy"
    MISSING = "missing"
    NO_SNAPSHOT = "no_snapshot"  # the source has no successful capture yet
    NO_TEXT = "no_text"  # captured, but no text could be extracted from it (the detail says why)


# The error kinds of a capture that was fetched but gave no text (text/extract.py): over an extraction
# bound (a deep or huge page, a compression or PDF bomb), or content that cannot be read.
EXTRACT_ERROR_KINDS = frozenset({"extract_limit", "extract_error"})


def parse_status(value: str) -> ClaimStatus:
    try:
        return ClaimStatus(value.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in ClaimStatus)
        raise InvalidInputError(f"unknown status {value!r} (choose from {choices})") from None


def parse_stance(value: str) -> Stance:
    try:
        return Stance(value.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Stance)
        raise InvalidInputError(f"unknown stance {value!r} (choose from {choices})") from None


def check_transition(current: ClaimStatus, target: ClaimStatus) -> None:
    if target == current:
        raise TransitionError(f"claim is already {current.value}")
    if target not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED_TRANSITIONS[current]))
        raise TransitionError(f"cannot go from {current.value} to {target.value} (allowed: {allowed})")


# The health vocabulary a reader acts on, defined once:
# - dead: the source no longer gives what it said (gone); lasting, so a source turning dead flags the
#   claims that cite it for review, and a dead source that answers again clears those flags;
# - unreachable: dead, or failing right now (an error may pass by the next check); a reader of a claim
#   is pointed at the archived copy of any unreachable source.
# A source our guard refused is neither: nothing is known about it, and the refusal is ours.
DEAD_HEALTH = frozenset({SourceHealth.GONE})
UNREACHABLE_HEALTH = DEAD_HEALTH | {SourceHealth.ERROR}
# Worst first: the health that should worry a reviewer most wins a claim's "worst health".
HEALTH_SEVERITY = {
    SourceHealth.GONE: 6,
    SourceHealth.ERROR: 5,
    SourceHealth.REFUSED: 4,
    SourceHealth.REDIRECTED: 3,
    SourceHealth.UNKNOWN: 2,
    SourceHealth.OK: 1,
}
