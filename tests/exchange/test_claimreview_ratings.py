"""Rating mapping both ways, and how JSON-LD documents are taken apart, without a database."""

from __future__ import annotations

from typing import Any

import pytest

from factledger.exchange.claimreview import review_rating
from factledger.exchange.claimreview_import import (
    ItemError,
    claim_from_review,
    nodes,
    status_from_rating,
    status_from_words,
)
from factledger.ledger.statuses import ClaimStatus, Stance

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("words", "status"),
    [
        ("True", ClaimStatus.SUPPORTED),
        ("Correct", ClaimStatus.SUPPORTED),
        ("Accurate", ClaimStatus.SUPPORTED),
        ("False", ClaimStatus.REFUTED),
        ("Pants on Fire!", ClaimStatus.REFUTED),
        ("Incorrect", ClaimStatus.REFUTED),
        ("Inaccurate", ClaimStatus.REFUTED),
        ("Fake news", ClaimStatus.REFUTED),
        ("Not true", ClaimStatus.REFUTED),
        ("Mixed", ClaimStatus.MIXED),
        ("Half True", ClaimStatus.MIXED),
        ("half-true", ClaimStatus.MIXED),
        ("Mostly True", ClaimStatus.MIXED),
        ("Mostly false", ClaimStatus.MIXED),
        ("Misleading", ClaimStatus.MIXED),
        ("Partly false", ClaimStatus.MIXED),
        ("Unproven", ClaimStatus.UNVERIFIABLE),
        ("Unverifiable", ClaimStatus.UNVERIFIABLE),
        ("No evidence", ClaimStatus.UNVERIFIABLE),
        ("Falso", ClaimStatus.REFUTED),
        ("Satire", None),
        ("Four Pinocchios", None),
        ("Untrueish", None),  # whole words only: no guessing from fragments
    ],
)
def test_status_from_words(words: str, status: ClaimStatus | None) -> None:
    assert status_from_words(words) == status


@pytest.mark.parametrize(
    ("rating", "status"),
    [
        ({"ratingValue": 5, "bestRating": 5, "worstRating": 1}, ClaimStatus.SUPPORTED),
        ({"ratingValue": 1, "bestRating": 5, "worstRating": 1}, ClaimStatus.REFUTED),
        ({"ratingValue": 2, "bestRating": 5, "worstRating": 1}, ClaimStatus.MIXED),
        ({"ratingValue": "4"}, ClaimStatus.MIXED),  # schema.org's default scale is 1 to 5
        ({"ratingValue": "0", "bestRating": "10", "worstRating": "0"}, ClaimStatus.REFUTED),
        ({"ratingValue": 10, "bestRating": 10, "worstRating": 0}, ClaimStatus.SUPPORTED),
        # Some publishers count Pinocchios: more is worse, so best is below worst.
        ({"ratingValue": 4, "bestRating": 0, "worstRating": 4}, ClaimStatus.REFUTED),
        # The number decides over the words when both are given.
        ({"ratingValue": 1, "alternateName": "True"}, ClaimStatus.REFUTED),
        ({"ratingValue": "", "alternateName": "Mostly false"}, ClaimStatus.MIXED),
    ],
)
def test_status_from_rating(rating: dict[str, Any], status: ClaimStatus) -> None:
    assert status_from_rating(rating, 1) == status


@pytest.mark.parametrize(
    ("rating", "fragment"),
    [
        ({"ratingValue": 6}, "item 4, field 'reviewRating.ratingValue': 6 is outside the scale"),
        ({"ratingValue": "high"}, "item 4, field 'reviewRating.ratingValue': expected a number"),
        ({"ratingValue": True}, "expected a number"),
        ({"ratingValue": 3, "bestRating": 3, "worstRating": 3}, "bestRating and worstRating are both 3"),
        ({}, "item 4, field 'reviewRating': needs a ratingValue or an alternateName"),
        ({"alternateName": "Satire"}, "item 4, field 'reviewRating.alternateName'"),
    ],
)
def test_unusable_ratings(rating: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ItemError) as raised:
        status_from_rating(rating, 4)
    assert fragment in str(raised.value)


@pytest.mark.parametrize("status", [s for s in ClaimStatus if s.is_verdict])
def test_exported_ratings_import_as_the_same_status(status: ClaimStatus) -> None:
    assert status_from_rating(review_rating(status), 1) == status


def test_nodes_flatten_lists_and_graphs() -> None:
    page = {"@type": "WebPage"}
    review = {"@type": "ClaimReview"}
    assert nodes(review) == [review]
    assert nodes([review, page]) == [review, page]
    assert nodes({"@context": "https://schema.org", "@graph": [page, review]}) == [page, review]
    assert nodes([{"@graph": [page]}, review]) == [page, review]


def test_claim_from_review_keeps_their_verdict_and_link() -> None:
    record = claim_from_review(
        {
            "@type": "schema:ClaimReview",
            "claimReviewed": " The river flooded twice. ",
            "url": "https://checker.example/river?utm_source=feed",
            "author": {"name": "Checker"},
            "reviewRating": {"ratingValue": 2, "bestRating": 3, "worstRating": 1, "alternateName": "Half"},
            "itemReviewed": {"author": ["Mayor Jones"], "datePublished": "2022-07-01T08:00:00Z"},
        },
        1,
    )
    assert record.text == "The river flooded twice."
    assert record.status == ClaimStatus.MIXED
    assert record.speaker == "Mayor Jones"
    assert record.dates == ["2022-07-01"]
    assert (
        record.rationale == 'ClaimReview by Checker: "Half" (https://checker.example/river?utm_source=feed)'
    )
    [link] = record.evidence
    assert (link.url, link.stance, link.note) == (
        "https://checker.example/river",
        Stance.CONTEXT,
        "fact-check",
    )


def test_a_review_without_words_says_its_score() -> None:
    record = claim_from_review({"claimReviewed": "X rose.", "reviewRating": {"ratingValue": 5}}, 1)
    assert record.status == ClaimStatus.SUPPORTED
    assert record.rationale == 'ClaimReview: "rated 5 of 5"'
    assert record.evidence == ()
