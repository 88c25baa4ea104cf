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
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_events
from factledger.ledger.claims import ClaimFilter, claims_query, normalize_claim_text
from factledger.ledger.models import Claim

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
    normalised = normalize_claim_text(text)
    per_group = MAX_CANDIDATES // 2
    dialect = session.get_bind().dialect.name
    seen: set[int] = set()
    found: list[SimilarClaim] = []
    for query in search_groups(text):
        # Only the id and text of each candidate: loading whole claims would cost more than scoring them.
        candidates = claims_query(ClaimFilter(search=query, limit=per_group), dialect)
        for claim_id, claim_text in session.execute(candidates.with_only_columns(Claim.id, Claim.text)):
            if claim_id in seen or claim_id == exclude_id:
                continue
            seen.add(claim_id)
            if normalize_claim_text(claim_text) == normalised:
                continue
            score = similarity(text, claim_text)
            if score >= threshold:
                found.append(SimilarClaim(claim_id, score))
    found.sort(key=lambda item: (-item.score, item.id))
    return found[:MAX_SUGGESTIONS]


def suggest_similar(session: Session, actor: str, claim_id: int, text: str) -> list[SimilarClaim]:
    """Find near-duplicates of a just-created claim and record each as a ``claim.similar`` event on it.

    The use-case behind both ``ingest`` and ``claims add``: call it in the transaction that created the
    claim, after the claim is flushed."""
    similar = find_similar(session, text, exclude_id=claim_id)
    append_events(
        session,
        actor,
        [
            NewEvent("claim.similar", claim_id, None, {"similar_to": item.id, "score": item.score}, None)
            for item in similar
        ],
    )
    return similar
