"""The triage screen with every reviewer action: decisions, citing, fetching, the reader and help.

Each write is one application use-case (app/review.py, app/capture.py) run on a worker thread. A write
that changes a claim passes the version the reviewer saw, so an edit made meanwhile by someone else
comes back as a VersionConflictError: the reviewer is told what the other change did, and the prompt
reopens with what they typed. The frame (table, detail, navigation, filters) is screens/triage.py.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import work

from factledger.app import capture, claim_edits, review
from factledger.ledger.errors import VersionConflictError
from factledger.ledger.statuses import ClaimStatus, parse_stance
from factledger.tui.describe import describe_change
from factledger.tui.forms import CiteRequest, optional_text
from factledger.tui.keys import MAIN_BINDINGS
from factledger.tui.screens.edit import EditForm, EditPrompt
from factledger.tui.screens.help import HelpScreen, help_entries
from factledger.tui.screens.prompts import CitePrompt, TextPrompt
from factledger.tui.screens.reader import ReaderScreen
from factledger.tui.screens.triage import TriageScreen, describe_error

__all__ = ["MainScreen", "describe_error"]


class MainScreen(TriageScreen):
    BINDINGS = MAIN_BINDINGS

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
            ledger, actor = self.ledger, self.config.reviewer
            self.run_job(
                lambda: review.set_status(
                    ledger,
                    actor,
                    claim_id,
                    wanted,
                    rationale=optional_text(rationale),
                    expect_version=version,
                ),
                lambda _claim: self._written(claim_id, f"claim {claim_id} is now {wanted.value}"),
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
        ledger, actor = self.ledger, self.config.reviewer
        self.run_job(
            lambda: review.accept_suggestion(ledger, actor, claim_id, expect_version=version).status,
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
            ledger, actor = self.ledger, self.config.reviewer
            who = assignee.strip() or "nobody"
            self.run_job(
                lambda: review.assign(
                    ledger, actor, claim_id, optional_text(assignee), expect_version=version
                ),
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
            ledger, actor = self.ledger, self.config.reviewer
            self.run_job(
                lambda: review.add_note(ledger, actor, claim_id, text, expect_version=version),
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
        ledger, actor = self.ledger, self.config.reviewer

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

    def action_cite(self, draft: CiteRequest | None = None) -> None:
        target = self._target()
        if target is None:
            return
        claim_id = target[0]

        def confirmed(request: CiteRequest | None) -> None:
            if request is None:
                return
            ledger, actor = self.ledger, self.config.reviewer

            def cited(source_id: int) -> None:
                self._written(claim_id, f"source cited on claim {claim_id}")
                if self.config.auto_fetch:
                    self.fetch_sources(claim_id, [source_id])

            def failed(error: BaseException) -> None:
                self.show_error(error, "Not cited")
                self.action_cite(request)  # back to the prompt with everything that was typed

            def write() -> int:
                stance = parse_stance(request.stance)
                evidence, _source = review.cite(
                    ledger, actor, claim_id, request.url, stance, quote=optional_text(request.quote)
                )
                return evidence.source_id

            self.run_job(write, cited, failed)

        self.app.push_screen(CitePrompt(claim_id, draft), confirmed)

    def _written(self, claim_id: int, message: str) -> None:
        self.app.notify(message, timeout=3, markup=False)
        self._claim_changed(claim_id)

    def _write_failed(self, error: BaseException, claim_id: int, retry: Callable[[], None] | None) -> None:
        if not isinstance(error, VersionConflictError):
            self.show_error(error, "Not saved")
            return
        ledger = self.ledger

        def told(notice: str) -> None:
            self.app.notify(
                notice, title="Someone else changed this claim", severity="warning", markup=False, timeout=12
            )
            self._claim_changed(claim_id)
            if retry is not None:
                # Re-open the prompt with what was typed once the fresh version is on screen.
                self.set_timer(0.3, retry)

        def notice() -> str:
            """The ledger's message (who and when) plus what the other change did."""
            what = describe_change(review.last_change(ledger, claim_id))
            return f"{error}" + (f" — their change: {what}" if what else "")

        self.run_job(notice, told, group="conflict")

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
        ledger, config = self.ledger, self.config
        try:
            ids = source_ids if source_ids is not None else capture.source_ids_of_claim(ledger, claim_id)
            if not ids:
                self.app.call_from_thread(
                    self.app.notify,
                    f"claim {claim_id} cites no sources yet (c to cite one)",
                    severity="warning",
                )
                return
            summary = capture.capture_now(
                ledger, config.reviewer, config.archive_paths, config.capture_options, ids
            )
        except Exception as exc:
            self.app.call_from_thread(self.show_error, exc, "Fetch failed")
            return
        failures = dict(summary.failed_by_kind)
        if summary.refused:  # our own guard, not the source (counted apart from failures): say so
            failures[GUARD_REFUSAL] = summary.refused
        self.app.call_from_thread(self._fetched, claim_id, summary.attempted, summary.ok, failures)

    def _fetched(self, claim_id: int, attempted: int, ok: int, failures: dict[str, int]) -> None:
        if failures:
            kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(failures.items()))
            why = ""
            if GUARD_REFUSAL in failures and not self.config.allow_private_networks:
                why = (
                    "; the address guard refuses private and loopback addresses: set"
                    " allow_private_networks = true in factledger.toml to fetch from your own network"
                )
            self.app.notify(
                f"claim {claim_id}: {ok} of {attempted} sources captured; failed ({kinds}){why}",
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
        self.app.push_screen(ReaderScreen(self.ledger, self.config.archive_paths, evidence))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_entries(self.app)))


# How a fetch the address guard refused is named in the notice (RunSummary.refused, archive/runner.py).
GUARD_REFUSAL = "refused: private address"

_conflict_note = "Someone else changed this claim (see the notification); your text is kept — Enter saves it."
