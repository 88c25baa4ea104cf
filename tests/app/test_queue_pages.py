"""app.queue: the claims table's pages, read in the app layer (first page before the count, keyset pages
after it, rows again by id)."""

from __future__ import annotations

import pytest

from factledger.app import queue
from factledger.ledger.bulk.claim_import import ClaimRecord, import_claims
from factledger.ledger.database import Ledger
from factledger.ledger.review_queries import PAGE_SIZE, RowQuery
from factledger.ledger.statuses import ClaimStatus

pytestmark = pytest.mark.integration

CLAIMS = 2 * PAGE_SIZE + 50
REFUTED = 7


def _fill(ledger: Ledger) -> None:
    records = [
        ClaimRecord(
            text=f"Claim {n}: the budget figure was {n * 37 % 1000}.",
            status=ClaimStatus.REFUTED if n < REFUTED else ClaimStatus.UNREVIEWED,
            score=(n * 7919 % CLAIMS) / CLAIMS,
        )
        for n in range(CLAIMS)
    ]
    with ledger.write() as session:
        import_claims(session, "tester", records, origin="test")


def test_a_full_first_page_is_shown_before_the_count(ledger: Ledger) -> None:
    _fill(ledger)
    early: list[queue.Page] = []

    first = queue.first_page(ledger, RowQuery(), 0, early.append)

    assert (first.number, first.total, len(first.rows)) == (0, CLAIMS, PAGE_SIZE)
    assert [[row.id for row in page.rows] for page in early] == [[row.id for row in first.rows]]
    assert [page.largest_id for page in early] == [first.largest_id]


def test_a_short_first_page_is_its_own_count(ledger: Ledger) -> None:
    _fill(ledger)
    early: list[queue.Page] = []

    first = queue.first_page(ledger, RowQuery(status=ClaimStatus.REFUTED), 0, early.append)

    assert (first.number, first.total, len(first.rows)) == (0, REFUTED, REFUTED)
    assert early == []


def test_a_cursor_further_down_loads_its_own_page_after_the_count(ledger: Ledger) -> None:
    _fill(ledger)
    early: list[queue.Page] = []

    last = queue.first_page(ledger, RowQuery(), CLAIMS - 1, early.append)

    assert (last.number, last.total, len(last.rows)) == (2, CLAIMS, CLAIMS - 2 * PAGE_SIZE)
    assert early == []


def test_keyset_and_positional_pages_agree_and_rows_read_again_by_id(ledger: Ledger) -> None:
    _fill(ledger)
    query = RowQuery()
    first = queue.first_page(ledger, query, 0, lambda page: None)

    by_keyset = queue.page(ledger, query, 1, first.total, first.rows[-1])
    by_position = queue.page(ledger, query, 1, first.total, None)

    assert len(by_keyset) == PAGE_SIZE
    assert [row.id for row in by_keyset] == [row.id for row in by_position]
    assert not {row.id for row in by_keyset} & {row.id for row in first.rows}
    wanted = [by_keyset[3].id, first.rows[0].id]
    assert sorted(row.id for row in queue.rows(ledger, query, wanted)) == sorted(wanted)
