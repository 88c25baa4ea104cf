"""Modal prompts: one line of text, citing a source, and the table's filters.

A prompt never throws away what was typed: it is dismissed with the values, and the caller re-opens
it pre-filled when the write cannot go through (a conflict, a rejected URL).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from factledger.ledger.errors import InvalidInputError
from factledger.ledger.review_queries import RowQuery, SortKey
from factledger.ledger.statuses import ClaimStatus, Stance
from factledger.tui.forms import CiteRequest

CANCEL = Binding("escape", "cancel", "Cancel", id="prompt.cancel")


class TextPrompt(ModalScreen[str | None]):
    """Asks for one line. Enter gives the text (maybe empty), Escape gives None.

    ``enter_does`` is what the help line says Enter does ("save" for a write, "search" for the search)."""

    BINDINGS: ClassVar[list[BindingType]] = [CANCEL]

    def __init__(
        self,
        title: str | Text,
        *,
        value: str = "",
        placeholder: str = "",
        note: str = "",
        enter_does: str = "save",
    ) -> None:
        super().__init__()
        self.enter_does = enter_does
        self.prompt_title = title
        self.value = value
        self.placeholder = placeholder
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(Text(self.prompt_title) if isinstance(self.prompt_title, str) else self.prompt_title)
            if self.note:
                yield Label(Text(self.note), classes="prompt-note")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label(Text(f"Enter: {self.enter_does} · Esc: cancel"), classes="prompt-help")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CitePrompt(ModalScreen[CiteRequest | None]):
    """URL, stance and quote. Checked here (as the CLI checks them) before the prompt closes."""

    BINDINGS: ClassVar[list[BindingType]] = [CANCEL]

    def __init__(self, claim_id: int, draft: CiteRequest | None = None) -> None:
        super().__init__()
        self.claim_id = claim_id
        self.draft = draft or CiteRequest(url="", stance=Stance.SUPPORTS.value, quote="")

    def compose(self) -> ComposeResult:
        stances = [(stance.value, stance.value) for stance in Stance]
        with Vertical(classes="prompt"):
            yield Label(Text(f"Cite a source for claim {self.claim_id}"))
            yield Input(value=self.draft.url, placeholder="https://…", id="cite-url")
            yield Select(stances, value=self.draft.stance, allow_blank=False, id="cite-stance")
            yield Input(value=self.draft.quote, placeholder="the exact sentence (optional)", id="cite-quote")
            with Horizontal(classes="prompt-buttons"):
                yield Button("Cite", variant="primary", id="cite-save")
                yield Button("Cancel", id="cite-cancel")
            yield Label(Text("Enter in a field or Cite: save · Esc: cancel"), classes="prompt-help")

    def _request(self) -> CiteRequest:
        stance = self.query_one("#cite-stance", Select).value
        return CiteRequest(
            url=self.query_one("#cite-url", Input).value.strip(),
            stance=str(stance) if isinstance(stance, str) else Stance.SUPPORTS.value,
            quote=self.query_one("#cite-quote", Input).value,
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#cite-save")
    def save(self) -> None:
        request = self._request()
        try:
            request.validated()
        except InvalidInputError as exc:
            self.app.notify(str(exc), title="Not cited", severity="error", markup=False)
            self.query_one("#cite-url", Input).focus()
            return
        self.dismiss(request)

    @on(Button.Pressed, "#cite-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


ANY = "any"


class FilterPrompt(ModalScreen[RowQuery | None]):
    """Status, needs-review, assignee and sort for the claims table. Search stays as it is."""

    BINDINGS: ClassVar[list[BindingType]] = [CANCEL]

    def __init__(self, current: RowQuery) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        statuses = [(ANY, ANY), *((s.value, s.value) for s in ClaimStatus)]
        sorts = [(s.value, s.value) for s in SortKey]
        with Vertical(classes="prompt"):
            yield Label(Text("Filter and sort the claims"))
            yield Select(
                statuses,
                value=self.current.status.value if self.current.status else ANY,
                allow_blank=False,
                id="filter-status",
            )
            yield Checkbox("needs review only", bool(self.current.needs_review), id="filter-needs-review")
            yield Input(
                value=self.current.assignee or "",
                placeholder="assignee (empty: anyone)",
                id="filter-assignee",
            )
            yield Select(sorts, value=self.current.sort.value, allow_blank=False, id="filter-sort")
            with Horizontal(classes="prompt-buttons"):
                yield Button("Apply", variant="primary", id="filter-apply")
                yield Button("Cancel", id="filter-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#filter-apply")
    def apply(self) -> None:
        status = self.query_one("#filter-status", Select).value
        sort = self.query_one("#filter-sort", Select).value
        assignee = self.query_one("#filter-assignee", Input).value.strip()
        self.dismiss(
            RowQuery(
                status=ClaimStatus(status) if isinstance(status, str) and status != ANY else None,
                needs_review=True if self.query_one("#filter-needs-review", Checkbox).value else None,
                assignee=assignee or None,
                search=self.current.search,
                sort=SortKey(sort) if isinstance(sort, str) else self.current.sort,
            )
        )

    @on(Button.Pressed, "#filter-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
