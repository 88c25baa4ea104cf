"""The triage screen: the claims table over the detail pane, and every reviewer action.

Reads and writes run on thread workers (the ledger may be PostgreSQL across a network, or an SQLite
file another process is writing) and report back on the UI thread; a failure becomes a notification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from factledger.app import claim_edits
from factledger.ledger.errors import LedgerError, VersionConflictError
from factledger.ledger.review_queries import (
    ClaimDetail,
    ClaimRow,
    RowQuery,
    claim_detail,
    next_needing_attention,
    position_of,
)
from factledger.ledger.statuses import ClaimStatus
from factledger.tui import writes
from factledger.tui.describe import describe_query
from factledger.tui.fetching import fetch_now, source_ids_of_claim
from factledger.tui.keys import MAIN_BINDINGS
from factledger.tui.screens.edit import EditForm, EditPrompt
from factledger.tui.screens.help import HelpScreen, help_entries
from factledger.tui.screens.prompts import CitePrompt, FilterPrompt, TextPrompt
from factledger.tui.screens.reader import ReaderScreen
from factledger.tui.widgets.claim_table import ClaimTable
from factledger.tui.widgets.detail import DetailPane

if TYPE_CHECKING:
    from factledger.tui.app import ReviewApp

T = TypeVar("T")


def describe_error(error: BaseException) -> str:
    if isinstance(error, LedgerError):
        return str(error)
    orig = getattr(error, "orig", None)
    first = str(orig or error).strip().splitlines()
    return f"{type(error).__name__}: {first[0] if first else ''}"


class MainScreen(Screen[None]):
    BINDINGS = MAIN_BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.detail_generation = 0

    @property
    def review(self) -> ReviewApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="title-bar")
        yield ClaimTable(self.review.ledger, id="claims")
        yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.table.focus()
        self._update_title()
        self.table.reload()

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
        text.append(f"  as {self.review.config.reviewer}", Style(dim=True))
        if total is not None:
            text.append(f"  ·  {total:,}{'' if exact else '+'} claims", Style(bold=True))
        text.append("  ·  ")
        text.append(describe_query(self.table.row_query), Style(dim=True))
        self.query_one("#title-bar", Static).update(text)

    @on(ClaimTable.Loaded)
    def on_loaded(self, message: ClaimTable.Loaded) -> None:
        self._update_title(message.total, message.exact)

    @on(ClaimTable.LoadFailed)
    def on_load_failed(self, message: ClaimTable.LoadFailed) -> None:
        self.show_error(message.error, title="Could not read the ledger")

    @on(ClaimTable.CursorMoved)
    def on_cursor_moved(self, message: ClaimTable.CursorMoved) -> None:
        if message.row is None:
            self.detail_pane.show_message("no claims match (x clears the filters)")
            return
        self.load_detail(message.row.id)

    def load_detail(self, claim_id: int, *, keep_selection: bool = False) -> None:
        self.detail_generation += 1
        self._load_detail(self.detail_generation, claim_id, keep_selection)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load_detail(self, generation: int, claim_id: int, keep_selection: bool) -> None:
        try:
            with self.review.ledger.read() as session:
                detail = claim_detail(session, claim_id)
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
        ledger = self.review.ledger

        def find() -> tuple[ClaimRow, int] | None:
            with ledger.read() as session:
                row = next_needing_attention(session, query, current)
                return None if row is None else (row, position_of(session, query, row))

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

    # ------------------------------------------------------------ writes

    def action_set_status(self, status: str, draft: str = "", note: str = "") -> None:
        target = self._target()
        if target is None:
            return
        claim_id, version = target
        wanted = ClaimStatus(status)

        def confirmed(rationale: str | None) -> None:
            if rationale is None:
                return
            ledger, actor = self.review.ledger, self.review.config.reviewer
            self.run_job(
                lambda: writes.set_status(ledger, actor, claim_id, wanted, rationale, version),
                lambda new_version: self._written(claim_id, f"claim {claim_id} is now {wanted.value}"),
                lambda error: self._write_failed(
                    error, claim_id, lambda: self.action_set_status(status, rationale, _conflict_note)
                ),
            )

        self.app.push_screen(
            TextPrompt(
                f"Mark claim {claim_id} {wanted.value}: rationale (optional)",
                value=draft,
                placeholder="why (recorded in the audit log)",
                note=note,
            ),
            confirmed,
        )

    def action_accept_suggestion(self) -> None:
        target = self._target()
        if target is None:
            return
        claim_id, version = target
        ledger, actor = self.review.ledger, self.review.config.reviewer
        self.run_job(
            lambda: writes.accept(ledger, actor, claim_id, version),
            lambda status: self._written(claim_id, f"claim {claim_id} is now {status} (suggestion accepted)"),
            lambda error: self._write_failed(error, claim_id, None),
        )

    def action_assign(self, draft: str | None = None, note: str = "") -> None:
        target = self._target()
        if target is None:
            return
        claim_id, version = target
        current = self.detail_pane.detail
        value = draft if draft is not None else (current.assignee or "" if current else "")

        def confirmed(assignee: str | None) -> None:
            if assignee is None:
                return
            ledger, actor = self.review.ledger, self.review.config.reviewer
            who = assignee.strip() or "nobody"
            self.run_job(
                lambda: writes.assign(ledger, actor, claim_id, assignee, version),
                lambda _v: self._written(claim_id, f"claim {claim_id} assigned to {who}"),
                lambda error: self._write_failed(
                    error, claim_id, lambda: self.action_assign(assignee, _conflict_note)
                ),
            )

        self.app.push_screen(
            TextPrompt(f"Assign claim {claim_id} to (empty: nobody)", value=value, note=note), confirmed
        )

    def action_note(self, draft: str = "", note: str = "") -> None:
        target = self._target()
        if target is None:
            return
        claim_id, version = target

        def confirmed(text: str | None) -> None:
            if text is None or not text.strip():
                return
            ledger, actor = self.review.ledger, self.review.config.reviewer
            self.run_job(
                lambda: writes.add_note(ledger, actor, claim_id, text, version),
                lambda _r: self._written(claim_id, f"note added to claim {claim_id}"),
                lambda error: self._write_failed(
                    error, claim_id, lambda: self.action_note(text, _conflict_note)
                ),
            )

        self.app.push_screen(
            TextPrompt(f"Note on claim {claim_id} (kept in the audit log)", value=draft, note=note), confirmed
        )

    def action_edit_claim(
        self, typed: EditForm | None = None, shown: EditForm | None = None, note: str = ""
    ) -> None:
        """The ``e`` form, filled from the claim as it is now (and, coming back after a failed save,
        with what was typed: see EditForm.rebased)."""
        target = self._target()
        if target is None:
            return
        claim_id, version = target
        ledger, actor = self.review.ledger, self.review.config.reviewer

        def ask(current: EditForm) -> None:
            form = current if typed is None or shown is None else typed.rebased(shown, current)
            self.app.push_screen(EditPrompt(claim_id, form, note=note), lambda done: save(current, done))

        def save(current: EditForm, done: EditForm | None) -> None:
            if done is None:
                return

            def failed(error: BaseException) -> None:
                if isinstance(error, VersionConflictError):
                    self._write_failed(
                        error, claim_id, lambda: self.action_edit_claim(done, current, _conflict_note)
                    )
                else:  # e.g. another claim has this text: say so, and give the form back as typed
                    self.show_error(error, "Not saved")
                    self.action_edit_claim(done, current)

            self.run_job(
                lambda: claim_edits.edit_claim(
                    ledger, actor, claim_id, done.request(current), note=done.note, expect_version=version
                ),
                lambda _summary: self._written(claim_id, f"claim {claim_id} edited"),
                failed,
            )

        self.run_job(lambda: EditForm.of_claim(ledger, claim_id), ask, group="read")

    def action_cite(self, draft: writes.CiteRequest | None = None) -> None:
        target = self._target()
        if target is None:
            return
        claim_id = target[0]

        def confirmed(request: writes.CiteRequest | None) -> None:
            if request is None:
                return
            ledger, actor = self.review.ledger, self.review.config.reviewer

            def cited(source_id: int) -> None:
                self._written(claim_id, f"source cited on claim {claim_id}")
                if self.review.config.auto_fetch:
                    self.fetch_sources(claim_id, [source_id])

            def failed(error: BaseException) -> None:
                self.show_error(error, "Not cited")
                self.action_cite(request)  # back to the prompt with everything that was typed

            self.run_job(lambda: writes.add_evidence(ledger, actor, claim_id, request), cited, failed)

        self.app.push_screen(CitePrompt(claim_id, draft), confirmed)

    def _written(self, claim_id: int, message: str) -> None:
        self.app.notify(message, timeout=3, markup=False)
        self._claim_changed(claim_id)

    def _write_failed(self, error: BaseException, claim_id: int, retry: Callable[[], None] | None) -> None:
        if not isinstance(error, VersionConflictError):
            self.show_error(error, "Not saved")
            return
        ledger = self.review.ledger

        def told(notice: str) -> None:
            self.app.notify(
                notice, title="Someone else changed this claim", severity="warning", markup=False, timeout=12
            )
            self._claim_changed(claim_id)
            if retry is not None:
                # Re-open the prompt with what was typed once the fresh version is on screen.
                self.set_timer(0.3, retry)

        self.run_job(lambda: writes.conflict_notice(ledger, claim_id, error), told, group="conflict")

    # ------------------------------------------------------------ fetching and reading

    def action_fetch(self) -> None:
        target = self._target()
        if target is not None:
            self.fetch_sources(target[0], None)

    def fetch_sources(self, claim_id: int, source_ids: list[int] | None) -> None:
        self.app.notify(f"fetching the sources of claim {claim_id} in the background…", timeout=3)
        self._fetch(claim_id, source_ids)

    @work(thread=True, group="fetch", exit_on_error=False)
    def _fetch(self, claim_id: int, source_ids: list[int] | None) -> None:
        review = self.review
        try:
            ids = source_ids if source_ids is not None else source_ids_of_claim(review.ledger, claim_id)
            if not ids:
                self.app.call_from_thread(
                    self.app.notify,
                    f"claim {claim_id} cites no sources yet (c to cite one)",
                    severity="warning",
                )
                return
            summary = fetch_now(review.ledger, review.config.reviewer, review.config.fetch, ids)
        except Exception as exc:
            self.app.call_from_thread(self.show_error, exc, "Fetch failed")
            return
        self.app.call_from_thread(
            self._fetched, claim_id, summary.attempted, summary.ok, dict(summary.failed_by_kind)
        )

    def _fetched(self, claim_id: int, attempted: int, ok: int, failures: dict[str, int]) -> None:
        if failures:
            kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(failures.items()))
            self.app.notify(
                f"claim {claim_id}: {ok} of {attempted} sources captured; failed ({kinds})",
                title="Fetch",
                severity="warning",
                markup=False,
            )
        else:
            self.app.notify(
                f"claim {claim_id}: {ok} of {attempted} sources captured", title="Fetch", markup=False
            )
        self._claim_changed(claim_id)

    def action_open_reader(self) -> None:
        evidence = self.detail_pane.current_evidence
        if evidence is None:
            self.app.notify("this claim has no evidence to read (c to cite a source)", severity="warning")
            return
        self.app.push_screen(ReaderScreen(self.review.ledger, self.review.config.archive_paths, evidence))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_entries(self)))


_conflict_note = "Someone else changed this claim (see the notification); your text is kept — Enter saves it."
