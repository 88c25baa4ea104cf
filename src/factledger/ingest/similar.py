"""Near-duplicate claims: the same fact worded slightly differently, suggested to the reviewer.

An exact match (same normalised text) is linked by the ledger itself: it becomes another appearance of
the one claim. A near-duplicate ("met on February 18" / "met on 18 February") cannot be linked
automatically, so it is suggested: a ``claim.similar`` event on the new claim names the older one and
the score, and ``ingest`` shows it.

Candidates come from the full-text index, never from a scan of every claim: the new claim's most
distinctive words, split into two groups so that a one-word edit in one group still leaves the other
group intact, each give at most ``MAX_CANDIDATES // 2`` claims (the oldest holding all the group's words,
as whole words: see ``claims_with_words``). Only those are scored, with rapidfuzz.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence, Set
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_events
from factledger.ledger.claims import claims_with_words, normalize_claim_text

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
    words = dict.fromkeys(map(str.casefold, _WORD.findall(text)))
    distinctive = [word for word in words if word not in _COMMON and (len(word) > 2 or word.isdigit())]
    # Longest first, then in the order written: the sort is stable, also in reverse.
    ranked = sorted(distinctive, key=len, reverse=True)[: 2 * _GROUP_WORDS]
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
    claim is flushed. (``ingest`` stores a document's claims in one batch: see ``find_similar_batch``.)"""
    similar = find_similar(session, text, exclude_id=claim_id)
    append_events(session, actor, similar_events(claim_id, similar))
    return similar


def similar_events(claim_id: int, similar: Sequence[SimilarClaim]) -> list[NewEvent]:
    """The ``claim.similar`` events that record a new claim's near-duplicates."""
    return [
        NewEvent("claim.similar", claim_id, None, {"similar_to": item.id, "score": item.score}, None)
        for item in similar
    ]


def find_similar_batch(
    session: Session, new_claims: Sequence[tuple[int, str]]
) -> dict[int, list[SimilarClaim]]:
    """``find_similar`` for claims just created together (by ``ingest``), given in creation order.

    Each claim is compared with the claims that existed before it, as if they had been created and
    searched one by one: later claims of the same batch are left out of its candidates. The caller
    records the results (``similar_events``) in the transaction that created the claims."""
    scorer = _Scorer(session, SIMILARITY_THRESHOLD)
    later = {claim_id for claim_id, _ in new_claims}
    found: dict[int, list[SimilarClaim]] = {}
    for claim_id, text in new_claims:
        found[claim_id] = scorer.similar(text, later)
        later.discard(claim_id)  # "later" includes the claim itself, so it is never its own match
    return found


# The same older claims come back as candidates for text after text (the oldest matches of common words),
# so their normalised texts are kept; keyed by the text itself, this is right for any ledger.
_NORMALISED_CACHE_SIZE = 8192


@functools.lru_cache(maxsize=_NORMALISED_CACHE_SIZE)
def _normalised(text: str) -> str:
    return normalize_claim_text(text)


class _Scorer:
    """Candidate search and scoring for one or more texts in one transaction.

    rapidfuzz stops scoring a pair as soon as it cannot reach the cutoff."""

    def __init__(self, session: Session, threshold: float) -> None:
        self._session = session
        self._threshold = threshold
        # Below this no score rounds up to the threshold (scores are reported to one decimal).
        self._cutoff = threshold - 0.1

    def similar(self, text: str, excluded: Set[int]) -> list[SimilarClaim]:
        normalised = normalize_claim_text(text)
        per_group = MAX_CANDIDATES // 2
        seen: set[int] = set()
        candidate_ids: list[int] = []
        candidates: list[str] = []
        for rows in claims_with_words(self._session, search_groups(text), per_group):
            for claim_id, claim_text in rows:
                if claim_id in seen or claim_id in excluded:
                    continue
                seen.add(claim_id)
                other = _normalised(claim_text)
                if other != normalised:
                    candidate_ids.append(claim_id)
                    candidates.append(other)
        # Each scorer meets all the candidates in one call, which prepares the text once (rapidfuzz's
        # cached scorers) instead of once a pair; the scores are the pairwise calls' own. A pair below the
        # cutoff scores 0, as a pairwise call with the cutoff returns.
        best = [0.0] * len(candidates)
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
            for _, score, index in process.extract(
                normalised, candidates, scorer=scorer, score_cutoff=self._cutoff, limit=None
            ):
                best[index] = max(best[index], score)
        threshold = self._threshold
        found = [
            SimilarClaim(claim_id, round(score, 1))
            for claim_id, score in zip(candidate_ids, best, strict=True)
            if score and round(score, 1) >= threshold  # most candidates are below the cutoff: 0
        ]
        found.sort(key=lambda item: (-item.score, item.id))
        return found[:MAX_SUGGESTIONS]
