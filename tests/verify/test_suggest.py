"""suggest_verdict: one rule per verdict, and a reason a reviewer can read."""

from __future__ import annotations

import pytest

from factledger.ledger.statuses import ClaimStatus, QuoteStatus, Stance
from factledger.verify.suggest import EvidenceView, suggest_verdict

pytestmark = pytest.mark.unit

S, R, C = Stance.SUPPORTS, Stance.REFUTES, Stance.CONTEXT
FOUND, FUZZY, MISSING = QuoteStatus.FOUND, QuoteStatus.FUZZY, QuoteStatus.MISSING
NO_SNAPSHOT, UNCHECKED = QuoteStatus.NO_SNAPSHOT, QuoteStatus.UNCHECKED


def ev(stance: Stance, status: QuoteStatus) -> EvidenceView:
    return EvidenceView(stance, status)


def test_verified_supporting_only_suggests_supported() -> None:
    suggestion = suggest_verdict([ev(S, FOUND), ev(S, FOUND)])
    assert suggestion.verdict == ClaimStatus.SUPPORTED
    assert suggestion.reason == "2 supporting quotes found in archived sources, no refuting ones"


def test_verified_refuting_only_suggests_refuted() -> None:
    suggestion = suggest_verdict([ev(R, FOUND), ev(S, MISSING)])
    assert suggestion.verdict == ClaimStatus.REFUTED
    assert suggestion.reason == (
        "1 refuting quote found in archived sources, no supporting ones; not counted: 1 missing from the source"
    )


def test_both_suggest_mixed() -> None:
    suggestion = suggest_verdict([ev(S, FOUND), ev(R, FOUND), ev(R, FOUND)])
    assert suggestion.verdict == ClaimStatus.MIXED
    assert suggestion.reason == "1 supporting quote and 2 refuting quotes found in archived sources"


def test_nothing_verifiable_suggests_unverifiable_and_says_why() -> None:
    evidence = [ev(S, FUZZY), ev(S, MISSING), ev(R, NO_SNAPSHOT), ev(R, UNCHECKED), ev(C, FOUND)]
    suggestion = suggest_verdict(evidence)
    assert suggestion.verdict == ClaimStatus.UNVERIFIABLE
    assert suggestion.reason == (
        "no supporting or refuting quote could be verified in an archived source; not counted: "
        "1 fuzzy (close but not exact; only exact quotes count), 1 missing from the source, "
        "1 without an archived snapshot, 1 not checked yet, 1 context source (never counted)"
    )


def test_fuzzy_never_decides_a_verdict() -> None:
    assert suggest_verdict([ev(S, FUZZY)]).verdict == ClaimStatus.UNVERIFIABLE
    assert suggest_verdict([ev(S, FOUND), ev(R, FUZZY)]).verdict == ClaimStatus.SUPPORTED


def test_context_evidence_never_decides_a_verdict() -> None:
    assert suggest_verdict([ev(C, FOUND)]).verdict == ClaimStatus.UNVERIFIABLE


def test_no_evidence_suggests_nothing() -> None:
    suggestion = suggest_verdict([])
    assert suggestion.verdict is None
    assert suggestion.reason == "no evidence cited yet"
