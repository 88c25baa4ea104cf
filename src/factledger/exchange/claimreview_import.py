"""Import of schema.org ClaimReview JSON-LD as fact-checkers publish it.

A file may hold one object, a list, or an object with "@graph" (the usual page markup, where the review
sits beside WebPage and Organization nodes). Nodes that are not ClaimReviews are skipped; errors name the
node as "item N", counting every node from 1 in document order, so the user can find it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import IO, Any

from factledger.exchange.json_input import JsonInputError, parse_json
from factledger.exchange.records import (
    RecordError,
    Rejected,
    claim_from_fields,
    evidence_from_fields,
    strict,
    value_at,
)
from factledger.ledger.bulk.claim_import import ClaimRecord, EvidenceRecord
from factledger.ledger.errors import InvalidInputError
from factledger.ledger.statuses import ClaimStatus

# How a few common verdict words map to statuses. Checked in this order, so "mostly false" is mixed
# before "false" makes it refuted, and "incorrect" is refuted before "correct" makes it supported.
_VERDICT_WORDS: tuple[tuple[ClaimStatus, tuple[str, ...]], ...] = (
    (
        ClaimStatus.UNVERIFIABLE,
        ("unproven", "unverifiable", "unverified", "no evidence", "unsubstantiated", "not enough evidence"),
    ),
    (
        ClaimStatus.MIXED,
        (
            "mixed",
            "mixture",
            "half true",
            "half-true",
            "mostly true",
            "mostly false",
            "misleading",
            "partly",
            "partially",
            "exaggerated",
            "out of context",
            "missing context",
            "cherry-picked",
            "engañoso",
            "enganoso",
            "trompeur",
        ),
    ),
    (
        ClaimStatus.REFUTED,
        (
            "false",
            "pants on fire",
            "incorrect",
            "inaccurate",
            "fake",
            "untrue",
            "not true",
            "wrong",
            "fabricated",
            "hoax",
            "falso",
            "falsa",
            "faux",
            "falsch",
        ),
    ),
    (ClaimStatus.SUPPORTED, ("true", "correct", "accurate", "verdadero", "verdadeiro", "vrai", "richtig")),
)
_WORD_PATTERNS = [
    (status, re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)", re.IGNORECASE))
    for status, words in _VERDICT_WORDS
]
# schema.org's defaults for a Rating that leaves out its scale.
DEFAULT_BEST, DEFAULT_WORST = 5.0, 1.0


class ItemError(RecordError):
    def __init__(self, index: int, field: str | None, message: str) -> None:
        super().__init__(index, field, message, unit="item")


def status_from_words(name: str) -> ClaimStatus | None:
    """The status a verdict's wording ("Mostly false", "Pants on Fire!") stands for, if we know it."""
    for status, pattern in _WORD_PATTERNS:
        if pattern.search(name):
            return status
    return None


def _number(value: Any, index: int, field: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ItemError(index, field, f"expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # an integer beyond any float
        raise ItemError(index, field, f"expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ItemError(index, field, f"expected a number, got {value!r}")
    return number


def status_from_rating(rating: Mapping[str, Any], index: int) -> ClaimStatus:
    """The value on its scale when there is one (top supported, bottom refuted, between mixed), else
    the wording. Publishers' scales differ (1-5, 0-10, even best below worst), so only position counts."""
    value = _number(rating.get("ratingValue"), index, "reviewRating.ratingValue")
    if value is not None:
        best = _number(rating.get("bestRating"), index, "reviewRating.bestRating")
        worst = _number(rating.get("worstRating"), index, "reviewRating.worstRating")
        best = DEFAULT_BEST if best is None else best
        worst = DEFAULT_WORST if worst is None else worst
        if best == worst:
            raise ItemError(index, "reviewRating", f"bestRating and worstRating are both {best:g}")
        position = (value - worst) / (best - worst)
        if not 0.0 <= position <= 1.0:
            raise ItemError(
                index,
                "reviewRating.ratingValue",
                f"{value:g} is outside the scale from worstRating {worst:g} to bestRating {best:g}",
            )
        if position == 1.0:
            return ClaimStatus.SUPPORTED
        return ClaimStatus.REFUTED if position == 0.0 else ClaimStatus.MIXED
    name = rating.get("alternateName")
    if not isinstance(name, str) or not name.strip():
        raise ItemError(index, "reviewRating", "needs a ratingValue or an alternateName")
    status = status_from_words(name)
    if status is None:
        raise ItemError(
            index,
            "reviewRating.alternateName",
            f"cannot tell which status {name.strip()!r} means; give the review a ratingValue on its scale",
        )
    return status


def _one(value: Any) -> Any:
    """JSON-LD allows a list wherever one value is expected; the first is the one that counts."""
    return value[0] if isinstance(value, list) and value else value


def _name(value: Any) -> str | None:
    value = _one(value)
    if isinstance(value, Mapping):
        value = value.get("name")
    return (value.strip() or None) if isinstance(value, str) else None


def _types(node: Mapping[str, Any]) -> set[str]:
    raw = node.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    # "ClaimReview", "schema:ClaimReview" and "https://schema.org/ClaimReview" are all the same type.
    return {re.split(r"[/:#]", name)[-1] for name in names if isinstance(name, str)}


def nodes(document: Any) -> list[Any]:
    """Every top-level node of a JSON-LD document, in order: one object, a list, or @graph(s)."""
    found: list[Any] = []
    for node in document if isinstance(document, list) else [document]:
        graph = node.get("@graph") if isinstance(node, Mapping) else None
        if isinstance(graph, list):
            found.extend(graph)
        else:
            found.append(node)
    return found


_CLAIM_FIELD_NAMES = {
    "text": "claimReviewed",
    "speaker": "itemReviewed.author.name",
    "date": "itemReviewed.datePublished",
    "rationale": "reviewRating.alternateName",
    "url": "url",
}


def claim_from_review(review: Mapping[str, Any], index: int) -> ClaimRecord:
    rating = _one(review.get("reviewRating"))
    if not isinstance(rating, Mapping):
        raise ItemError(index, "reviewRating", "every ClaimReview needs a reviewRating object")
    status = status_from_rating(rating, index)
    item = _one(review.get("itemReviewed"))
    item = item if isinstance(item, Mapping) else {}
    published = _one(item.get("datePublished"))
    url = _one(review.get("url"))
    # Their verdict in their words, with who gave it and where, since a status alone loses it.
    verdict = _name(rating.get("alternateName"))
    if verdict is None:
        verdict = f"rated {rating.get('ratingValue')} of {rating.get('bestRating') or f'{DEFAULT_BEST:g}'}"
    author = _name(review.get("author"))
    rationale = f'ClaimReview{f" by {author}" if author else ""}: "{verdict}"'
    if isinstance(url, str) and url.strip():
        rationale += f" ({url.strip()})"
    fields = {
        "text": review.get("claimReviewed"),
        "speaker": _name(item.get("author")),
        "date": published[:10] if isinstance(published, str) else published,
        "status": status.value,
        "rationale": rationale,
    }
    try:
        evidence: tuple[EvidenceRecord, ...] = ()
        if url not in (None, ""):
            fields_of_link = {"url": url, "stance": "context", "note": "fact-check"}
            evidence = (evidence_from_fields(fields_of_link, index, ""),)
        return claim_from_fields(fields, index, evidence)
    except RecordError as exc:
        field = _CLAIM_FIELD_NAMES.get(exc.field or "", exc.field)
        raise ItemError(index, field, exc.reason) from None


def read_claim_reviews(stream: IO[bytes]) -> list[ClaimRecord]:
    """Parse and validate a whole file (JSON-LD is one document, not a stream of lines); raises the
    first bad item's ItemError."""
    return list(strict(scan_claim_reviews(stream)))


def scan_claim_reviews(stream: IO[bytes]) -> list[ClaimRecord | Rejected]:
    """Every ClaimReview's claim, or its rejection (the item as JSON in ``source``). A file that is not
    JSON, or holds no ClaimReview at all, is an InvalidInputError: there are no items to report."""
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"not valid UTF-8 (byte {exc.start})") from None
    try:
        document = parse_json(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"line {exc.lineno}: not valid JSON ({exc.msg} at column {exc.colno})"
        ) from None
    except JsonInputError as exc:
        raise InvalidInputError(f"field {exc.field!r}: {exc.message}" if exc.field else exc.message) from None
    all_nodes = nodes(document)
    results: list[ClaimRecord | Rejected] = []
    for index, node in enumerate(all_nodes, start=1):
        if not (isinstance(node, Mapping) and "ClaimReview" in _types(node)):
            continue
        try:
            results.append(claim_from_review(node, index))
        except ItemError as exc:
            source = json.dumps(node, ensure_ascii=False, default=repr)
            results.append(Rejected(exc, value_at(node, exc.field), source))
    if not results:
        raise InvalidInputError(
            f"no ClaimReview objects found among {len(all_nodes)} item(s); "
            'expected objects with "@type": "ClaimReview"'
        )
    return results
