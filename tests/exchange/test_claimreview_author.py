"""claim_author: the ClaimReview author object typed by the speaker's kind (exchange/claimreview.py)."""

from __future__ import annotations

import pytest

from factledger.exchange.claimreview import claim_author

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("person", {"@type": "Person", "name": "N"}),
        ("organisation", {"@type": "Organization", "name": "N"}),
        (None, {"name": "N"}),
    ],
)
def test_claim_author_types_by_kind(kind: str | None, expected: dict[str, str]) -> None:
    assert claim_author("N", kind) == expected
