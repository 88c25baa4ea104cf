"""SQLite's claim indexes name the sort column alone (migration 0014: SQLite ends every index entry with
the rowid, the id): the review queue's pages and the status filter still walk an index in (column, id)
order, without sorting the table. The plans are those of the statements the queue really runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from factledger.ledger.claims import ClaimDraft, ClaimFilter, add_claim, list_claims
from factledger.ledger.database import Ledger, open_ledger
from factledger.ledger.review_queries import RowQuery, SortKey, page_after
from factledger.ledger.statuses import ClaimStatus

pytestmark = pytest.mark.integration


@pytest.fixture
def sqlite_ledger(sqlite_url: str) -> Iterator[Ledger]:
    ledger = open_ledger(sqlite_url)
    with ledger.write() as session:
        for n in range(30):
            add_claim(session, "alice", ClaimDraft(text=f"Claim number {n} about the budget.", score=n / 30))
    yield ledger
    ledger.close()


def _plans(ledger: Ledger, run: Any) -> list[str]:
    """The query plan of every SELECT on claims that ``run(session)`` sends."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM claims" in statement:
            sent.append((statement, parameters))

    event.listen(ledger.engine, "before_cursor_execute", record)
    try:
        with ledger.read() as session:
            run(session)
    finally:
        event.remove(ledger.engine, "before_cursor_execute", record)
    with ledger.engine.connect() as connection:
        return [
            " / ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in sent
        ]


@pytest.mark.parametrize("sort", [SortKey.UPDATED, SortKey.CREATED])
def test_review_pages_walk_an_index_in_order(sqlite_ledger: Ledger, sort: SortKey) -> None:
    first, *_ = _plans(sqlite_ledger, lambda session: page_after(session, RowQuery(sort=sort), None))
    assert "TEMP B-TREE" not in first, first
    if sort is SortKey.UPDATED:
        assert "COVERING INDEX ix_claims_updated_at" in first, first
    cursor_page, *_ = _plans(
        sqlite_ledger,
        lambda session: page_after(
            session, RowQuery(sort=sort), page_after(session, RowQuery(sort=sort), None)[9].cursor
        ),
    )
    assert "TEMP B-TREE" not in cursor_page, cursor_page


def test_score_sort_scans_the_narrow_index(sqlite_ledger: Ledger) -> None:
    first, *_ = _plans(sqlite_ledger, lambda session: page_after(session, RowQuery(sort=SortKey.SCORE), None))
    assert "COVERING INDEX ix_claims_score" in first, first


def test_status_filter_walks_its_index_in_id_order(sqlite_ledger: Ledger) -> None:
    [plan] = _plans(
        sqlite_ledger,
        lambda session: list_claims(session, ClaimFilter(status=ClaimStatus.UNREVIEWED, after_id=5)),
    )
    assert "ix_claims_status (status=? AND rowid>?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
