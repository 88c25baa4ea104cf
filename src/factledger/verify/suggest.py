"""A suggested verdict for a claim, from its evidence, with the reason in words. Never applied by itself.

Only a quote *found* in an archived source counts as verified. A fuzzy quote is close but differs in
some words, and the reviewer has not yet agreed that it is the same sentence; counting it would let a
paraphrase decide a verdict. It is named in the reason instead, so the reviewer knows where to look.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from factledger.ledger.statuses import ClaimStatus, QuoteStatus, Stance

__all__ = ["EvidenceView", "Suggestion", "suggest_verdict"]


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """What the suggestion needs to know about one piece of evidence.

    Plain strings are accepted as they come from the database; ``Stance`` and ``QuoteStatus`` members
    are strings too, and compare equal to their values.
    """

    stance: str  # a Stance value
    quote_status: str  # a QuoteStatus value


@dataclass(frozen=True, slots=True)
class Suggestion:
    verdict: ClaimStatus | None  # None: no evidence yet, nothing to suggest
    reason: str


def suggest_verdict(evidence: Sequence[EvidenceView]) -> Suggestion:
    """Supported, refuted, mixed or unverifiable from the verified (found) quotes; the reason says why."""
    if not evidence:
        return Suggestion(None, "no evidence cited yet")
    verified = Counter(e.stance for e in evidence if e.quote_status == QuoteStatus.FOUND)
    supporting, refuting = verified[Stance.SUPPORTS], verified[Stance.REFUTES]
    if supporting and refuting:
        verdict = ClaimStatus.MIXED
        head = (
            f"{_count(supporting, 'supporting quote')} and {_count(refuting, 'refuting quote')} "
            "found in archived sources"
        )
    elif supporting:
        verdict = ClaimStatus.SUPPORTED
        head = f"{_count(supporting, 'supporting quote')} found in archived sources, no refuting ones"
    elif refuting:
        verdict = ClaimStatus.REFUTED
        head = f"{_count(refuting, 'refuting quote')} found in archived sources, no supporting ones"
    else:
        verdict = ClaimStatus.UNVERIFIABLE
        head = "no supporting or refuting quote could be verified in an archived source"
    return Suggestion(verdict, head + _not_counted(evidence))


def _not_counted(evidence: Sequence[EvidenceView]) -> str:
    """What the verdict left out and why, so a reviewer sees what might still change it."""
    left_out: Counter[str] = Counter(
        e.quote_status for e in evidence if e.stance != Stance.CONTEXT and e.quote_status != QuoteStatus.FOUND
    )
    parts = [
        f"{left_out[status]} {label}"
        for status, label in (
            (QuoteStatus.FUZZY, "fuzzy (close but not exact; only exact quotes count)"),
            (QuoteStatus.MISSING, "missing from the source"),
            (QuoteStatus.NO_SNAPSHOT, "without an archived snapshot"),
            (QuoteStatus.UNCHECKED, "not checked yet"),
        )
        if left_out[status]
    ]
    context = sum(1 for e in evidence if e.stance == Stance.CONTEXT)
    if context:
        parts.append(f"{_count(context, 'context source')} (never counted)")
    return "; not counted: " + ", ".join(parts) if parts else ""


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
