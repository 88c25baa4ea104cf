"""How the review screen words a query and a change, for its title bar, notices and history list."""

from __future__ import annotations

from factledger.app.wording import describe_change as describe_event_change
from factledger.ledger.review_queries import EventView, RowQuery


def describe_query(query: RowQuery) -> str:
    """The table's sort and filters, in one line."""
    parts = [f"sort: {query.sort.value}"]
    if query.status is not None:
        parts.append(f"status: {query.status.value}")
    if query.needs_review:
        parts.append("needs review")
    if query.assignee is not None:
        parts.append(f"assignee: {query.assignee or 'nobody'}")
    if query.search:
        parts.append(f"search: {query.search}")
    return " · ".join(parts)


def describe_change(event: EventView | None) -> str:
    """One line on what an event changed, for conflict notices and the history list."""
    if event is None:
        return ""
    return describe_event_change(event.before, event.after)
