"""The triage screen's frame: the claims table over the detail pane, reading, moving and filtering.

The reviewer's writes, fetching and the reader are added by screens/main.py's MainScreen. Reads and
writes run on thread workers (the ledger may be PostgreSQL across a network, or an SQLite file another
process is writing) and report back on the UI thread; a failure becomes a notification. The screen is
handed the ledger and the ReviewConfig it works with; it never reaches back into the app for them.

Other reviewers work on the same ledger. Every few seconds the screen asks the audit log what changed
since the last event it has seen (app.queue.changes) and re-reads only what it shows of that: the rows
of changed claims, the detail pane if its claim changed, the whole table when claims were added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from factledger.app import queue
from factledger.ledger.database import Ledger
from factledger.ledger.errors import LedgerError
from factledger.ledger.review_queries import ClaimDetail, ClaimRow, LedgerChanges, RowQuery
from factledger.tui.config import ReviewConfig
from factledger.tui.describe import describe_query
from factledger.tui.screens.prompts import FilterPrompt, TextPrompt
from factledger.tui.widgets.claim_table import ClaimTable
from factledger.tui.widgets.detail import DetailPane

T = TypeVar("T")


def describe_error(error: BaseException) -> str:
    if isinstance(error, LedgerError):
        return str(error)
    orig = getattr(error, "orig", None)
    first = str(orig or error).strip().splitlines()
    return f"{type(error).__name__}: {first[0] if first else ''}"


class TriageScreen(Screen[None]):
    def __init__(self, ledger: Ledger, config: ReviewConfig) -> None:
        super().__init__()
        self.ledger = ledger
        self.config = config
        self.detail_generation = 0
        # The newest audit event the screen reflects; None until the table's first read says.
        self.seen_event: int | None = None
        self._watching = False

    def compose(self) -> ComposeResult:
        yield Static(id="title-bar")
        yield ClaimTable(self.ledger, id="claims")
        yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.table.focus()
        self._update_title()
        self.table.reload()
        if self.config.watch_seconds > 0:
            self.set_interval(self.config.watch_seconds, self.watch_ledger)

    @property
    def table(self) -> ClaimTable:
        return self.query_one(ClaimTable)

    @property
    def detail_pane(self) -> DetailPane:
        return self.query_one(DetailPane)

    # ------------------------------------------------------------ background work

    def run_job(
        self,
        job: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None] | None = None,
        *,
        group: str = "write",
    ) -> None:
        """Run ``job`` on a thread; call ``done`` or ``failed`` (default: a notification) on the UI."""

        def body() -> None:
            try:
                result = job()
            except Exception as exc:
                self.app.call_from_thread(failed or self.show_error, exc)
                return
            self.app.call_from_thread(done, result)

        self.run_worker(body, thread=True, group=group, exit_on_error=False)

    def show_error(self, error: BaseException, title: str = "Error") -> None:
        self.app.notify(describe_error(error), title=title, severity="error", markup=False, timeout=8)

    # ------------------------------------------------------------ table and detail

    def _update_title(self, total: int | None = None, exact: bool = True) -> None:
        text = Text()
        text.append("factledger review", Style(bold=True))
        text.append(f"  as {self.config.reviewer}", Style(dim=True))
        if total is not None:
            text.append(f"  ·  {total:,}{'' if exact else '+'} claims", Style(bold=True))
        text.append("  ·  ")
        text.append(describe_query(self.table.row_query), Style(dim=True))
        self.query_one("#title-bar", Static).update(text)

    @on(ClaimTable.Loaded)
    def on_loaded(self, message: ClaimTable.Loaded) -> None:
        self._update_title(message.total, message.exact)
        if self.seen_event is None:
            self.seen_event = message.as_of_event

    # ------------------------------------------------------------ other reviewers' changes

    def watch_ledger(self) -> None:
        """Ask for what changed since the last event seen (the timer's tick; also callable by hand)."""
        if self.seen_event is not None and not self._watching:
            self._watching = True  # one question at a time: a slow answer is not asked again meanwhile
            self._read_changes(self.seen_event)

    @work(thread=True, group="watch", exit_on_error=False)
    def _read_changes(self, after_event: int) -> None:
        try:
            changes = queue.changes(self.ledger, after_event)
        except Exception:  # a lost connection shows on the next read the reviewer makes
            changes = None
        self.app.call_from_thread(self._show_changes, after_event, changes)

    def _show_changes(self, after_event: int, changes: LedgerChanges | None) -> None:
        self._watching = False
        if changes is None or self.seen_event != after_event:
            return
        self.seen_event = changes.last_event_id
        if not changes.any:
            return
        current = self.table.current
        if changes.reshaped:
            self._reread_table(current)
            return
        on_screen = self.table.cached_ids() & changes.claim_ids
        if on_screen:
            self.table.refresh_rows(sorted(on_screen))
        if current is not None and current.id in changes.claim_ids:
            self.load_detail(current.id, keep_selection=True)

    def _reread_table(self, current: ClaimRow | None) -> None:
        """Claims were added: read the table again, with the cursor on the claim the reviewer was on."""
        if current is None:
            self.table.reload(keep_cursor=True)
            return
        ledger, query, claim_id = self.ledger, self.table.row_query, current.id

        def reread(position: int | None) -> None:
            if self.table.row_query == query:  # the reviewer has not filtered meanwhile
                # The detail follows the cursor (CursorMoved) once the rows are read.
                self.table.reload(cursor=position, keep_cursor=position is None)

        self.run_job(lambda: queue.position_now(ledger, query, claim_id), reread, group="watch")

    @on(ClaimTable.LoadFailed)
    def on_load_failed(self, message: ClaimTable.LoadFailed) -> None:
        self.show_error(message.error, title="Could not read the ledger")

    @on(ClaimTable.CursorMoved)
    def on_cursor_moved(self, message: ClaimTable.CursorMoved) -> None:
        if message.row is None:
            self.detail_pane.show_message("no claims match (x clears the filters)")
            return
        # The same claim again (the table was re-read around it) keeps its selected evidence.
        self.load_detail(message.row.id, keep_selection=True)

    def load_detail(self, claim_id: int, *, keep_selection: bool = False) -> None:
        self.detail_generation += 1
        self._load_detail(self.detail_generation, claim_id, keep_selection)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load_detail(self, generation: int, claim_id: int, keep_selection: bool) -> None:
        try:
            detail = queue.detail(self.ledger, claim_id)
        except Exception as exc:
            self.app.call_from_thread(self.show_error, exc, "Could not read the claim")
            return
        self.app.call_from_thread(self._show_detail, generation, detail, keep_selection)

    def _show_detail(self, generation: int, detail: ClaimDetail, keep_selection: bool) -> None:
        if generation == self.detail_generation:
            self.detail_pane.show(detail, keep_selection=keep_selection)

    def _claim_changed(self, claim_id: int) -> None:
        """Re-read a claim we wrote or fetched for: its row in place and, if shown, its detail."""
        self.table.refresh_rows([claim_id])
        current = self.table.current
        if current is not None and current.id == claim_id:
            self.load_detail(claim_id, keep_selection=True)

    def _target(self) -> tuple[int, int] | None:
        """The claim under the cursor and the version the reviewer is looking at."""
        row = self.table.current
        if row is None:
            self.app.notify("no claim selected", severity="warning")
            return None
        detail = self.detail_pane.detail
        version = detail.version if detail is not None and detail.id == row.id else row.version
        return row.id, version

    # ------------------------------------------------------------ navigation

    def action_cursor_down(self) -> None:
        self.table.move_cursor(self.table.cursor + 1)

    def action_cursor_up(self) -> None:
        self.table.move_cursor(self.table.cursor - 1)

    def action_cursor_first(self) -> None:
        self.table.move_cursor(0)

    def action_cursor_last(self) -> None:
        self.table.move_cursor(self.table.total - 1)

    def action_page_down(self) -> None:
        self.table.move_cursor(self.table.cursor + self.table.page_height)

    def action_page_up(self) -> None:
        self.table.move_cursor(self.table.cursor - self.table.page_height)

    def action_next_attention(self) -> None:
        query, current = self.table.row_query, self.table.current
        ledger = self.ledger

        def find() -> tuple[ClaimRow, int] | None:
            return queue.next_attention(ledger, query, current)

        def go(found: tuple[ClaimRow, int] | None) -> None:
            if found is None:
                self.app.notify("nothing needs attention here", severity="information")
            elif self.table.row_query == query:
                self.table.move_cursor(found[1])

        self.run_job(find, go, group="navigate")

    def action_select_evidence(self, step: int) -> None:
        self.detail_pane.select_evidence(step)

    # ------------------------------------------------------------ filters, search, sort

    def _apply(self, query: RowQuery) -> None:
        self.table.reload(query)
        self._update_title()

    def action_search(self) -> None:
        def searched(value: str | None) -> None:
            if value is not None:
                self._apply(replace(self.table.row_query, search=value.strip() or None))

        self.app.push_screen(
            TextPrompt(
                "Search claim text (every word, as a word prefix; empty clears)",
                value=self.table.row_query.search or "",
                enter_does="search",
            ),
            searched,
        )

    def action_filter(self) -> None:
        def filtered(query: RowQuery | None) -> None:
            if query is not None:
                self._apply(query)

        self.app.push_screen(FilterPrompt(self.table.row_query), filtered)

    def action_cycle_sort(self) -> None:
        query = self.table.row_query
        self._apply(replace(query, sort=query.sort.next()))
        self.app.notify(f"sorted by {query.sort.next().value}", timeout=2)

    def action_clear_filters(self) -> None:
        self._apply(RowQuery(sort=self.table.row_query.sort))

    def action_reload(self) -> None:
        self.table.reload(keep_cursor=True)
        if self.table.current is not None:
            self.load_detail(self.table.current.id, keep_selection=True)
