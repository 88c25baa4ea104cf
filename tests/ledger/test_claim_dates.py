"""check_claim_date: the claim dates a reviewer may type when correcting a claim (claim_edits.py)."""

from __future__ import annotations

import pytest

from factledger.ledger.claim_edits import check_claim_date
from factledger.ledger.errors import InvalidInputError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2023-02-18", "2023-02-18"),
        (" 2024-02-29 ", "2024-02-29"),
        ("2023-05-01/2023-05-04", "2023-05-01/2023-05-04"),
    ],
)
def test_check_claim_date_accepts_days_and_ranges(typed: str, stored: str) -> None:
    assert check_claim_date(typed) == stored


@pytest.mark.parametrize("typed", ["2023-02-29", "2023-13-01", "2023-2-1", "2023-05-01/", "", "yesterday"])
def test_check_claim_date_refuses_what_is_not_a_day(typed: str) -> None:
    with pytest.raises(InvalidInputError):
        check_claim_date(typed)
