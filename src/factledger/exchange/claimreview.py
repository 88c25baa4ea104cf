"""schema.org ClaimReview (JSON-LD) export: the form in which fact-checkers publish verdicts.

Follows Google's documented ClaimReview fields (claimReviewed, reviewRating, itemReviewed, author,
datePublished, url). The import side, for what other fact-checkers publish, is claimreview_import.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from sqlalchemy.orm import Session

from factledger.ledger.claims import get_claim
from factledger.ledger.errors import InvalidInputError
from factledger.ledger.export_queries import (
    appearance_urls,
    document_urls,
    publication_dates,
    status_changes,
    verdict_claims_page,
)
from factledger.ledger.rows import Claim
from factledger.ledger.statuses import VERDICTS, ClaimStatus

BEST_RATING = 5
WORST_RATING = 1
# The README's mapping. Google accepts a Rating with alternateName alone, which is the honest way to say
# "Unproven": it is not a point between True and False.
RATINGS: dict[ClaimStatus, tuple[int | None, str]] = {
    ClaimStatus.SUPPORTED: (5, "True"),
    ClaimStatus.MIXED: (3, "Mixed"),
    ClaimStatus.REFUTED: (1, "False"),
    ClaimStatus.UNVERIFIABLE: (None, "Unproven"),
}
EXPORT_BATCH = 1000
_WEB = ("http://", "https://")  # a document ingested from a local file has no address to publish


@dataclass(frozen=True)
class Publisher:
    """The organisation that publishes the reviews (the `publisher_*` settings)."""

    name: str
    url: str
    review_base_url: str  # a review's url is this + "/{claim id}"


def review_rating(status: ClaimStatus) -> dict[str, Any]:
    value, name = RATINGS[status]
    rating: dict[str, Any] = {"@type": "Rating"}
    if value is not None:
        rating["ratingValue"] = value
    rating.update(bestRating=BEST_RATING, worstRating=WORST_RATING, alternateName=name)
    return rating


# schema.org's type for each speaker kind (claims.speaker_kind).
AUTHOR_TYPES = {"person": "Person", "organisation": "Organization"}


def claim_author(speaker: str, speaker_kind: str | None) -> dict[str, Any]:
    """Who made the claim. A speaker of unknown kind is published by name with no type: Google
    recommends (does not require) a Person or an Organization here, and guessing one would publish a
    falsehood ("figures from the ministry" as a Person) under the fact-checker's name."""
    author: dict[str, Any] = {"name": speaker}
    kind = AUTHOR_TYPES.get(speaker_kind or "")
    if kind is not None:
        author = {"@type": kind, **author}
    return author


def claim_review(
    claim: Claim,
    verdict_date: date,
    appearance_urls: list[str],
    publisher: Publisher,
    published: date | None = None,
) -> dict[str, Any]:
    """One ClaimReview. ``published`` is when the claim was first published (its earliest dated
    document); the dates the claim mentions are what it is about, not when it was made."""
    item: dict[str, Any] = {"@type": "Claim"}
    if claim.speaker:
        item["author"] = claim_author(claim.speaker, claim.speaker_kind)
    if published is not None:
        item["datePublished"] = published.isoformat()
    if appearance_urls:
        appearances = [{"@type": "CreativeWork", "url": url} for url in appearance_urls]
        item["firstAppearance"] = appearances[0]
        item["appearance"] = appearances
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{publisher.review_base_url}/{claim.id}",
        "claimReviewed": claim.text,
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": publisher.name, "url": publisher.url},
        "reviewRating": review_rating(ClaimStatus(claim.status)),
        "datePublished": verdict_date.isoformat(),
    }


def _verdict_dates(session: Session, claims: list[Claim]) -> dict[int, date]:
    """The day of each claim's last status change: when the verdict it carries now was given.

    Status changes, imports and creations all record the status they set in the event's ``after``;
    asking for that rather than for event kinds keeps working when new kinds of status event appear."""
    found = {claim.id: claim.updated_at.date() for claim in claims}
    for claim_id, at, after in status_changes(session, found):
        status = after.get("status") if isinstance(after, dict) else None
        if claim_id is not None and isinstance(status, str) and status in VERDICTS:
            found[claim_id] = at.date()
    return found


def _appearance_urls(session: Session, claims: list[Claim]) -> dict[int, list[str]]:
    """Web addresses of the documents each claim was found in, first appearance first.

    Evidence sources are not appearances: they are what the claim was checked against."""
    urls: dict[int, list[str]] = {claim.id: [] for claim in claims}
    for claim_id, url in appearance_urls(session, urls):
        if url.startswith(_WEB) and url not in urls[claim_id]:
            urls[claim_id].append(url)
    # Claims made before appearances were recorded only point at their document.
    orphans = {claim.document_id: claim.id for claim in claims if claim.document_id and not urls[claim.id]}
    if orphans:
        for document_id, document_url in document_urls(session, orphans):
            if document_url and document_url.startswith(_WEB):
                urls[orphans[document_id]].append(document_url)
    return urls


def _first_published(session: Session, claims: list[Claim]) -> dict[int, date]:
    earliest: dict[int, date] = {}
    for claim_id, published in publication_dates(session, [claim.id for claim in claims]):
        if claim_id not in earliest or published < earliest[claim_id]:
            earliest[claim_id] = published
    return earliest


def _reviews(session: Session, claims: list[Claim], publisher: Publisher) -> Iterator[dict[str, Any]]:
    dates = _verdict_dates(session, claims)
    appearances = _appearance_urls(session, claims)
    published = _first_published(session, claims)
    for claim in claims:
        yield claim_review(claim, dates[claim.id], appearances[claim.id], publisher, published.get(claim.id))


def reviewed_claim(session: Session, claim_id: int, publisher: Publisher) -> dict[str, Any]:
    """One claim's review; a claim without a verdict has nothing to publish, so that is an error."""
    claim = get_claim(session, claim_id)
    if ClaimStatus(claim.status) not in VERDICTS:
        raise InvalidInputError(
            f"claim {claim_id} is {claim.status}: ClaimReview publishes verdicts only "
            f"({', '.join(sorted(v.value for v in VERDICTS))})"
        )
    return next(_reviews(session, [claim], publisher))


def iter_claim_reviews(session: Session, publisher: Publisher) -> Iterator[dict[str, Any]]:
    """Every claim with a verdict, in id order, fetched in batches so memory stays flat."""
    last_id = 0
    while True:
        claims = verdict_claims_page(session, last_id, EXPORT_BATCH)
        if not claims:
            return
        yield from _reviews(session, claims, publisher)
        last_id = claims[-1].id
        session.expunge_all()


def write_claim_reviews(reviews: Iterator[dict[str, Any]], stream: IO[str]) -> int:
    """A JSON array written one review at a time; returns how many were written."""
    count = 0
    stream.write("[")
    for review in reviews:
        stream.write(",\n" if count else "\n")
        stream.write(json.dumps(review, ensure_ascii=False, indent=2))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count
