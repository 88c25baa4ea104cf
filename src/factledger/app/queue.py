"""Reading the review queue: one claim's detail, and the next claim that needs attention."""

from __future__ import annotations

from factledger.ledger.database import Ledger
from factledger.ledger.review_queries import (
    ClaimDetail,
    ClaimRow,
    RowQuery,
    claim_detail,
    next_needing_attention,
)
from factledger.ledger.review_queries import position_of as row_position


def detail(ledger: Ledger, claim_id: int) -> ClaimDetail:
    """Everything the detail pane shows: the claim, its evidence with health, and its history."""
    with ledger.read() as session:
        return claim_detail(session, claim_id)


def next_attention(ledger: Ledger, query: RowQuery, current: ClaimRow | None) -> tuple[ClaimRow, int] | None:
    """The next row of ``query`` after ``current`` that needs attention, with its position, if any."""
    with ledger.read() as session:
        row = next_needing_attention(session, query, current)
        return None if row is None else (row, row_position(session, query, row))
