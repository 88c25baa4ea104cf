"""Reading the review queue: the claims table's pages, one claim's detail, and the next claim that needs
attention."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from factledger.ledger.database import Ledger
from factledger.ledger.review_queries import (
    PAGE_SIZE,
    ClaimDetail,
    ClaimRow,
    RowQuery,
    claim_detail,
    count_rows,
    next_needing_attention,
    page_after,
    page_at,
    rows_by_id,
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


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the claims table: its number, its rows and the number of matching rows."""

    number: int
    rows: list[ClaimRow]
    total: int


def first_page(
    ledger: Ledger, query: RowQuery, cursor: int, show_early: Callable[[list[ClaimRow]], None]
) -> Page:
    """The page holding row ``cursor`` of ``query``, with the count, in one read transaction.

    Near the top the first page is read before the count, and a full one is handed to ``show_early``
    before counting: counting every match of a common search word costs as much as the page, and the
    rows matter more."""
    with ledger.read() as session:
        if cursor < PAGE_SIZE:
            rows = page_after(session, query, None)
            if len(rows) < PAGE_SIZE:
                return Page(0, rows, len(rows))
            show_early(rows)
            return Page(0, rows, count_rows(session, query))
        total = count_rows(session, query)
        number = min(cursor, max(total - 1, 0)) // PAGE_SIZE
        return Page(number, page_at(session, query, number * PAGE_SIZE, total), total)


def page(ledger: Ledger, query: RowQuery, number: int, total: int, after: ClaimRow | None) -> list[ClaimRow]:
    """Page ``number`` of ``query``: by keyset after ``after`` (the last row of the page before) when
    given, else by position among ``total`` rows."""
    with ledger.read() as session:
        if after is not None:
            return page_after(session, query, after.cursor)
        return page_at(session, query, number * PAGE_SIZE, total)


def rows(ledger: Ledger, query: RowQuery, claim_ids: list[int]) -> list[ClaimRow]:
    """These claims' rows as ``query`` shows them, read again."""
    with ledger.read() as session:
        return rows_by_id(session, query, claim_ids)
