"""The claims table: a Line API widget that renders only the rows on screen (as Toolong does).

It never holds the ledger. It knows the number of matching rows (for the scrollbar) and keeps a
bounded cache of pages; a row that is not cached yet renders as a placeholder while a thread worker
fetches its page through app/queue.py (keyset after the previous page when that is cached, from the end for the last
pages, by offset otherwise; see ledger/review_queries.py). Every load carries the generation of the
query it was made for, so a page for an old filter that lands late is dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from factledger.app import queue
from factledger.ledger.database import Ledger
from factledger.ledger.review_queries import PAGE_SIZE, ClaimRow, RowQuery
from factledger.terminal import one_line

MAX_CACHED_PAGES = 60

STATUS_STYLES = {
    "unreviewed": Style(dim=True),
    "in_review": Style(color="cyan"),
    "supported": Style(color="green", bold=True),
    "refuted": Style(color="red", bold=True),
    "mixed": Style(color="yellow", bold=True),
    "unverifiable": Style(color="magenta"),
}
HEALTH_STYLES = {
    "gone": Style(color="red", bold=True),
    "refused": Style(color="yellow", dim=True),  # our guard said no: not the source's fault
    "error": Style(color="yellow"),
    "redirected": Style(color="cyan"),
    "ok": Style(color="green"),
}
_NO_STYLE = Style()


@dataclass(frozen=True)
class Column:
    title: str
    width: int  # 0: sized by the layout (the id column to the largest id, the claim to the rest)
    cell: Callable[[ClaimRow], tuple[str, Style]]
    right: bool = False


def _status(row: ClaimRow) -> tuple[str, Style]:
    return row.status, STATUS_STYLES.get(row.status, _NO_STYLE)


def _suggested(row: ClaimRow) -> tuple[str, Style]:
    return (row.suggested or "", STATUS_STYLES.get(row.suggested or "", _NO_STYLE))


def _health(row: ClaimRow) -> tuple[str, Style]:
    return (row.worst_health or "—", HEALTH_STYLES.get(row.worst_health or "", Style(dim=True)))


ID = Column("id", 0, lambda r: (str(r.id), _NO_STYLE), right=True)
STATUS = Column("status", 12, _status)
CLAIM = Column("claim", 0, lambda r: (one_line(r.text), _NO_STYLE))
SUGGESTED = Column("suggested", 12, _suggested)
SCORE = Column("score", 5, lambda r: ("—" if r.score is None else f"{r.score:.2f}", _NO_STYLE), right=True)
TALLY = Column("+sup −ref", 9, lambda r: (f"+{r.supporting} −{r.refuting}", _NO_STYLE))
HEALTH = Column("health", 10, _health)
FLAG = Column("⚑", 1, lambda r: ("⚑" if r.needs_review else "", Style(color="red", bold=True)))
ASSIGNEE = Column("assignee", 10, lambda r: (one_line(r.assignee or ""), _NO_STYLE))
UPDATED = Column("updated", 11, lambda r: (f"{r.updated_at:%m-%d %H:%M}", Style(dim=True)))

COLUMNS = (ID, STATUS, SUGGESTED, SCORE, TALLY, HEALTH, FLAG, ASSIGNEE, UPDATED, CLAIM)
# The claim is the point of a row: when the line is too narrow for it to get CLAIM_MIN_WIDTH cells,
# these columns go, first to last, until it does. id, status and the claim always stay.
DROPPED_FIRST = (UPDATED, ASSIGNEE, SUGGESTED, SCORE, TALLY, HEALTH, FLAG)
CLAIM_MIN_WIDTH = 30


@lru_cache(maxsize=32)
def column_layout(width: int, largest_id: int) -> tuple[tuple[Column, int], ...]:
    """The columns that fit a line ``width`` cells wide, each with its width (one blank after each).

    The id column is as wide as the largest id in the ledger, so no id is ever cut (a cut id sends a
    reviewer to another claim); the claim takes what the others leave."""
    id_width = max(len(ID.title), len(str(largest_id)))
    shown = list(COLUMNS)

    def claim_width() -> int:
        fixed = sum((id_width if c is ID else c.width) + 1 for c in shown if c is not CLAIM)
        return max(width - fixed - 1, 0)

    for column in DROPPED_FIRST:
        if claim_width() >= CLAIM_MIN_WIDTH:
            break
        shown.remove(column)
    return tuple((c, id_width if c is ID else claim_width() if c is CLAIM else c.width) for c in shown)


class ClaimTable(ScrollView, can_focus=True):
    """Rows of claims, one line each, with a cursor. Line 0 is the header and does not scroll."""

    DEFAULT_CSS = """
    ClaimTable { overflow-x: hidden; }
    """
    # Moving the cursor is the screen's job (its bindings have ids, so they can be remapped); the
    # scrolling keys a ScrollView brings would shadow them while the table has focus.
    INHERIT_BINDINGS = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "claim-table--header",
        "claim-table--cursor",
        "claim-table--placeholder",
    }

    cursor: reactive[int] = reactive(0, always_update=True)

    class CursorMoved(Message):
        def __init__(self, row: ClaimRow | None) -> None:
            self.row = row
            super().__init__()

    class Loaded(Message):
        """A new query's first page is on screen; ``exact`` is False while the count is still coming.
        ``as_of_event`` is the newest audit event the page reflects."""

        def __init__(self, total: int, exact: bool = True, as_of_event: int = 0) -> None:
            self.total = total
            self.exact = exact
            self.as_of_event = as_of_event
            super().__init__()

    class LoadFailed(Message):
        def __init__(self, error: Exception) -> None:
            self.error = error
            super().__init__()

    class _PageArrived(Message):
        def __init__(
            self,
            generation: int,
            page: int,
            rows: list[ClaimRow],
            total: int | None,
            *,
            exact: bool = True,
            first: queue.Page | None = None,
        ) -> None:
            self.exact = exact
            self.generation = generation
            self.page = page
            self.rows = rows
            self.total = total
            self.first = first  # the first read of a query: with the largest id and its event marker
            super().__init__()

    class _RowsArrived(Message):
        def __init__(self, generation: int, rows: list[ClaimRow]) -> None:
            self.generation = generation
            self.rows = rows
            super().__init__()

    def __init__(self, ledger: Ledger, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ledger = ledger
        self.row_query = RowQuery()
        self.total = 0
        self._awaiting_first = True
        self._generation = 0
        self._pages: OrderedDict[int, list[ClaimRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._announced: int | None = None
        self.largest_id = 0

    # ------------------------------------------------------------ loading

    def reload(
        self, query: RowQuery | None = None, *, keep_cursor: bool = False, cursor: int | None = None
    ) -> None:
        """Show ``query`` (or re-read the current one) from its first page, or from the page holding
        row ``cursor`` with the cursor there."""
        if query is not None:
            self.row_query = query
        self._generation += 1
        self._awaiting_first = True
        self._pending.clear()
        self._announced = None
        if cursor is not None:
            # Set quietly: the rows cached for the old read must not be announced at the new position.
            self.set_reactive(ClaimTable.cursor, max(cursor, 0))
        elif not keep_cursor:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        self._load_first(self._generation, self.row_query, self.cursor)

    @work(thread=True, exclusive=True, group="claim-table-first", exit_on_error=False)
    def _load_first(self, generation: int, query: RowQuery, cursor: int) -> None:
        def show_early(early: queue.Page) -> None:
            # The full first page goes on screen before the count is known.
            self.post_message(
                self._PageArrived(generation, 0, early.rows, early.total, exact=False, first=early)
            )

        try:
            first = queue.first_page(self.ledger, query, cursor, show_early)
        except Exception as exc:  # a lost connection, a bad search: the screen says so and stays up
            self.post_message(self.LoadFailed(exc))
            return
        self.post_message(self._PageArrived(generation, first.number, first.rows, first.total, first=first))

    @work(thread=True, group="claim-table-pages", exit_on_error=False)
    def _load_page(
        self, generation: int, query: RowQuery, page: int, total: int, after: ClaimRow | None
    ) -> None:
        try:
            rows = queue.page(self.ledger, query, page, total, after)
        except Exception as exc:
            self.post_message(self.LoadFailed(exc))
            return
        self.post_message(self._PageArrived(generation, page, rows, None))

    def _on_claim_table__page_arrived(self, message: _PageArrived) -> None:
        if message.generation != self._generation:
            return
        if message.first is not None:
            self.largest_id = max(self.largest_id, message.first.largest_id)
        if message.total is not None:
            self.total = message.total
            self._pages.clear()
            self._awaiting_first = False
            self.cursor = min(self.cursor, max(self.total - 1, 0))
            self.virtual_size = Size(self.size.width, self.total + 1)
        self._pending.discard(message.page)
        self._pages[message.page] = message.rows
        self._pages.move_to_end(message.page)
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        self.refresh()
        if message.total is not None:
            as_of = message.first.as_of_event if message.first is not None else 0
            self.post_message(self.Loaded(self.total, message.exact, as_of))
            self._scroll_cursor_visible()
        self._announce_cursor()

    def _request_page(self, page: int) -> None:
        if page in self._pages or page in self._pending or self._awaiting_first:
            return
        self._pending.add(page)
        previous = self._pages.get(page - 1)
        after = previous[-1] if previous and len(previous) == PAGE_SIZE else None
        self._load_page(self._generation, self.row_query, page, self.total, after)

    def refresh_rows(self, claim_ids: list[int]) -> None:
        """Re-read these claims' rows in place (after a write, or when a capture landed)."""
        self._refresh_rows(self._generation, self.row_query, claim_ids)

    @work(thread=True, group="claim-table-rows", exit_on_error=False)
    def _refresh_rows(self, generation: int, query: RowQuery, claim_ids: list[int]) -> None:
        try:
            rows = queue.rows(self.ledger, query, claim_ids)
        except Exception as exc:
            self.post_message(self.LoadFailed(exc))
            return
        self.post_message(self._RowsArrived(generation, rows))

    def _on_claim_table__rows_arrived(self, message: _RowsArrived) -> None:
        if message.generation != self._generation:
            return
        fresh = {row.id: row for row in message.rows}
        self.largest_id = max([self.largest_id, *fresh])
        for page_rows in self._pages.values():
            for index, row in enumerate(page_rows):
                if row.id in fresh:
                    page_rows[index] = fresh[row.id]
        self.refresh()
        self._announced = None
        self._announce_cursor()

    def cached_ids(self) -> set[int]:
        """The claims whose rows the table holds (the ones on screen and a few pages around them)."""
        return {row.id for rows in self._pages.values() for row in rows}

    # ------------------------------------------------------------ rows and the cursor

    def row_at(self, index: int) -> ClaimRow | None:
        page = self._pages.get(index // PAGE_SIZE)
        if page is None or index % PAGE_SIZE >= len(page):
            return None
        return page[index % PAGE_SIZE]

    @property
    def current(self) -> ClaimRow | None:
        return self.row_at(self.cursor) if self.total else None

    def move_cursor(self, index: int) -> None:
        if self.total == 0:
            return
        self.cursor = max(0, min(index, self.total - 1))

    def watch_cursor(self, _old: int, _new: int) -> None:
        self._scroll_cursor_visible()
        self.refresh()
        self._announce_cursor()

    def _announce_cursor(self) -> None:
        row = self.current
        if row is None:
            if self.total == 0 and not self._awaiting_first and self._announced != -1:
                self._announced = -1
                self.post_message(self.CursorMoved(None))
            elif self.total:
                self._request_page(self.cursor // PAGE_SIZE)
            return
        if self._announced != row.id:
            self._announced = row.id
            self.post_message(self.CursorMoved(row))

    def _scroll_cursor_visible(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    @property
    def page_height(self) -> int:
        return max(self.size.height - 2, 1)

    def on_resize(self, _event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, self.total + 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_cursor(round(self.scroll_y) + event.y - 1)

    # ------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._header(width)
        index = round(self.scroll_y) + y - 1
        if index >= self.total:
            if index == 0 and not self._awaiting_first:
                return Strip([Segment(" no claims match", Style(dim=True, italic=True))]).crop_extend(
                    0, width, None
                )
            return Strip.blank(width)
        row = self.row_at(index)
        if row is None:
            self._request_page(index // PAGE_SIZE)
            style = self.get_component_rich_style("claim-table--placeholder")
            return Strip([Segment(" …", style)]).crop_extend(0, width, None)
        strip = self._row_strip(row, width)
        if index == self.cursor:
            strip = strip.apply_style(self.get_component_rich_style("claim-table--cursor"))
        return strip

    def _header(self, width: int) -> Strip:
        style = self.get_component_rich_style("claim-table--header")
        layout = column_layout(width, self.largest_id)
        return self._cells([(c.title, _NO_STYLE) for c, _w in layout], layout, width).apply_style(style)

    def _row_strip(self, row: ClaimRow, width: int) -> Strip:
        layout = column_layout(width, self.largest_id)
        return self._cells([column.cell(row) for column, _w in layout], layout, width)

    @staticmethod
    def _cells(cells: list[tuple[str, Style]], layout: tuple[tuple[Column, int], ...], width: int) -> Strip:
        segments: list[Segment] = []
        for (column, cell_width), (text, style) in zip(layout, cells, strict=True):
            if column.right:
                text = text.rjust(cell_width)
            segments.append(Segment(set_cell_size(text, cell_width), style))
            segments.append(Segment(" "))
        return Strip(segments).crop_extend(0, width, None)
