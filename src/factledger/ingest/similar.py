"""Near-duplicate claims: the same fact worded slightly differently, suggested to the reviewer.

An exact match (same normalised text) is linked by the ledger itself: it becomes another appearance of
the one claim. A near-duplicate ("met on February 18" / "met on 18 February") cannot be linked
automatically, so it is suggested: a ``claim.similar`` event on the new claim names the older one and
the score, and ``ingest`` shows it.

Candidates come from the full-text index, never from a scan of every claim: the new claim's most
distinctive words, split into two groups so that a one-word edit in one group still leaves the other
group intact, each give at most ``MAX_CANDIDATES // 2`` claims. Only those are scored, with rapidfuzz.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_events
from factledger.ledger.claims import normalize_claim_text, search_claim_texts

SIMILARITY_THRESHOLD = 90.0
MAX_CANDIDATES = 50
MAX_SUGGESTIONS = 5
# Words per search group: enough to keep the matches few, few enough that an edit rarely touches all.
_GROUP_WORDS = 3
_WORD = re.compile(r"[^\W_]+")
# Words too common to narrow a search; distinctive words are preferred, longest first.
_COMMON = frozenset(
    str.split("""
    a about after all also an and any are as at be been before but by can could did do does for from had
    has have he her his if in into is it its last more most new no not of on one or our over said says
    she so than that the their them there these they this to two up was we were what when which while who
    will with would year years
    """)
)


@dataclass(frozen=True, slots=True)
class SimilarClaim:
    id: int
    score: float

    def as_dict(self) -> dict[str, float | int]:
        return {"id": self.id, "score": self.score}


def similarity(first: str, second: str) -> float:
    """0-100: how alike two claim texts are once normalised; word order changes cost little."""
    a, b = normalize_claim_text(first), normalize_claim_text(second)
    return round(max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)), 1)


def search_groups(text: str) -> list[str]:
    """Up to two full-text queries of the claim's most distinctive words (each query ANDs its words)."""
    words = list(dict.fromkeys(word.casefold() for word in _WORD.findall(text)))
    distinctive = [word for word in words if word not in _COMMON and (len(word) > 2 or word.isdigit())]
    ranked = sorted(distinctive, key=lambda word: (-len(word), words.index(word)))[: 2 * _GROUP_WORDS]
    if not ranked:
        return []
    groups = [ranked[0::2], ranked[1::2]]  # interleaved, so both groups hold long words
    return [" ".join(group) for group in groups if group]


def find_similar(
    session: Session,
    text: str,
    *,
    exclude_id: int | None = None,
    threshold: float = SIMILARITY_THRESHOLD,
) -> list[SimilarClaim]:
    """Existing claims whose text scores at least ``threshold`` against ``text``, best first.

    Claims with exactly the same normalised text are not reported: the ledger links those itself."""
    excluded = frozenset() if exclude_id is None else frozenset({exclude_id})
    return _Scorer(session, threshold).similar(text, excluded)


def suggest_similar(session: Session, actor: str, claim_id: int, text: str) -> list[SimilarClaim]:
    """Find near-duplicates of a just-created claim and record each as a ``claim.similar`` event on it.

    The use-case behind ``claims add``: call it in the transaction that created the claim, after the
    claim is flushed."""
    return suggest_similar_batch(session, actor, [(claim_id, text)])[claim_id]


def suggest_similar_batch(
    session: Session, actor: str, new_claims: Sequence[tuple[int, str]]
) -> dict[int, list[SimilarClaim]]:
    """``suggest_similar`` for the claims just created together (by ``ingest``), given in creation order.

    Each claim is compared with the claims that existed before it, as if they had been created and
    searched one by one: later claims of the same batch are left out of its candidates. The events of the
    whole batch are appended at once."""
    scorer = _Scorer(session, SIMILARITY_THRESHOLD)
    later = {claim_id for claim_id, _ in new_claims}
    found: dict[int, list[SimilarClaim]] = {}
    events: list[NewEvent] = []
    for claim_id, text in new_claims:
        similar = scorer.similar(text, later)
        later.discard(claim_id)  # "later" includes the claim itself, so it is never its own match
        found[claim_id] = similar
        events.extend(
            NewEvent("claim.similar", claim_id, None, {"similar_to": item.id, "score": item.score}, None)
            for item in similar
        )
    append_events(session, actor, events)
    return found


class _Scorer:
    """Candidate search and scoring for one or more texts in one transaction.

    A text is normalised once, and so is each candidate (the oldest claims sharing common words come back
    for many texts of a batch). rapidfuzz stops scoring a pair as soon as it cannot reach the cutoff."""

    def __init__(self, session: Session, threshold: float) -> None:
        self._session = session
        self._threshold = threshold
        # Below this no score rounds up to the threshold (scores are reported to one decimal).
        self._cutoff = threshold - 0.1
        self._normalised: dict[str, str] = {}

    def _normalise(self, text: str) -> str:
        known = self._normalised.get(text)
        if known is None:
            known = self._normalised[text] = normalize_claim_text(text)
        return known

    def similar(self, text: str, excluded: Set[int]) -> list[SimilarClaim]:
        normalised = normalize_claim_text(text)
        per_group = MAX_CANDIDATES // 2
        cutoff, threshold = self._cutoff, self._threshold
        seen: set[int] = set()
        found: list[SimilarClaim] = []
        for rows in search_claim_texts(self._session, search_groups(text), per_group):
            for claim_id, claim_text in rows:
                if claim_id in seen or claim_id in excluded:
                    continue
                seen.add(claim_id)
                other = self._normalise(claim_text)
                if other == normalised:
                    continue
                best = max(
                    fuzz.ratio(normalised, other, score_cutoff=cutoff),
                    fuzz.token_sort_ratio(normalised, other, score_cutoff=cutoff),
                )
                score = round(best, 1)
                if score >= threshold:
                    found.append(SimilarClaim(claim_id, score))
        found.sort(key=lambda item: (-item.score, item.id))
        return found[:MAX_SUGGESTIONS]
