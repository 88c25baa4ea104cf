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
    LedgerChanges,
    RowQuery,
    changes_since,
    claim_detail,
    count_rows,
    largest_claim_id,
    latest_event_id,
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
    """One page of the claims table: its number, its rows and the number of matching rows, with the
    ledger's greatest claim id (the width of the id column) and the newest event it reflects."""

    number: int
    rows: list[ClaimRow]
    total: int
    largest_id: int = 0
    as_of_event: int = 0


def first_page(ledger: Ledger, query: RowQuery, cursor: int, show_early: Callable[[Page], None]) -> Page:
    """The page holding row ``cursor`` of ``query``, with the count, in one read transaction.

    Near the top the first page is read before the count, and a full one is handed to ``show_early``
    (with ``PAGE_SIZE`` as its total) before counting: counting every match of a common search word costs as much as the page, and the
    rows matter more."""
    with ledger.read() as session:
        # Read first: a change committed after this read is after this event, so a watcher starting
        # from it sees that change (see changes).
        as_of, largest = latest_event_id(session), largest_claim_id(session)
        if cursor < PAGE_SIZE:
            rows = page_after(session, query, None)
            if len(rows) < PAGE_SIZE:
                return Page(0, rows, len(rows), largest, as_of)
            show_early(Page(0, rows, PAGE_SIZE, largest, as_of))
            return Page(0, rows, count_rows(session, query), largest, as_of)
        total = count_rows(session, query)
        number = min(cursor, max(total - 1, 0)) // PAGE_SIZE
        return Page(number, page_at(session, query, number * PAGE_SIZE, total), total, largest, as_of)


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


def changes(ledger: Ledger, after_event: int) -> LedgerChanges:
    """What other reviewers (and archive runs) changed since event ``after_event``: the review app polls
    this every few seconds, and at rest it is one primary-key range read that finds nothing."""
    with ledger.read() as session:
        return changes_since(session, after_event)


def position_now(ledger: Ledger, query: RowQuery, claim_id: int) -> int | None:
    """Where claim ``claim_id`` is in ``query``'s order now (None if it is no longer in the ledger), so a
    table re-read after claims were added keeps the reviewer on the claim they were reading."""
    with ledger.read() as session:
        found = rows_by_id(session, query, [claim_id])
        return row_position(session, query, found[0]) if found else None
