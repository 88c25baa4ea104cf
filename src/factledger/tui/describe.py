"""How the review screen words a query and a change, for its title bar, notices and history list."""

from __future__ import annotations

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
    before, after = event.before or {}, event.after or {}
    changes = [
        f"{key} {before.get(key)!s} → {value!s}"
        for key, value in after.items()
        if key not in ("version", "text") and key in before and before.get(key) != value
    ]
    if "text" in before and before["text"] != after.get("text", before["text"]):
        changes.insert(0, "text edited")
    if not changes:
        changes = [f"{key}={value}" for key, value in after.items() if key not in ("version", "text")]
    return ", ".join(changes)
