"""The ``e`` form: correct a claim's text, speaker, speaker kind and dates (app/claim_edits.py).

Like every prompt it never throws away what was typed: it closes with the form, and the screen opens
it again filled in when the edit cannot be saved (someone else changed the claim, the text is another
claim's). What the ledger would refuse outright (an empty text, an impossible date) is caught here,
before the form closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from factledger.app.claim_edits import EditRequest, current_values, split_dates
from factledger.ledger.claim_edits import check_claim_date
from factledger.ledger.claims import SPEAKER_KINDS, clean_claim_text
from factledger.ledger.database import Ledger
from factledger.ledger.errors import InvalidInputError
from factledger.tui.screens.prompts import CANCEL

UNKNOWN_KIND = "unknown"


@dataclass(frozen=True)
class EditForm:
    """The form's fields as typed: dates as one line, separated by commas or spaces."""

    text: str
    speaker: str
    speaker_kind: str  # "person", "organisation" or "" (unknown)
    dates: str
    note: str = ""

    @classmethod
    def of_claim(cls, ledger: Ledger, claim_id: int) -> EditForm:
        now = current_values(ledger, claim_id)
        return cls(
            text=now.text or "",
            speaker=now.speaker or "",
            speaker_kind=now.speaker_kind or "",
            dates=", ".join(now.dates or []),
        )

    def request(self, shown: EditForm) -> EditRequest:
        """Only what the reviewer changed from the form as it was first shown, so a field left alone
        never writes back a value someone else has changed since. The kind goes with a changed name:
        the form shows it beside the name, so what it says is what the reviewer means."""
        speaker_changed = self.speaker != shown.speaker
        dates = split_dates(self.dates)
        return EditRequest(
            text=self.text if self.text != shown.text else None,
            speaker=self.speaker if speaker_changed else None,
            speaker_kind=self.speaker_kind
            if speaker_changed or self.speaker_kind != shown.speaker_kind
            else None,
            dates=dates if dates != split_dates(shown.dates) else None,
        )

    def rebased(self, shown: EditForm, current: EditForm) -> EditForm:
        """What was typed over the claim as it is now: the fields the reviewer left alone take the
        current values (after someone else changed the claim)."""
        return EditForm(
            text=self.text if self.text != shown.text else current.text,
            speaker=self.speaker if self.speaker != shown.speaker else current.speaker,
            speaker_kind=self.speaker_kind
            if self.speaker_kind != shown.speaker_kind
            else current.speaker_kind,
            dates=self.dates if split_dates(self.dates) != split_dates(shown.dates) else current.dates,
            note=self.note,
        )

    def validated(self) -> EditForm:
        """Check the text and dates as the ledger will; raises InvalidInputError."""
        clean_claim_text(self.text)
        for value in split_dates(self.dates):
            check_claim_date(value)
        return self


class EditPrompt(ModalScreen[EditForm | None]):
    BINDINGS: ClassVar[list[BindingType]] = [CANCEL]

    def __init__(self, claim_id: int, form: EditForm, *, note: str = "") -> None:
        super().__init__()
        self.claim_id = claim_id
        self.form = form
        self.note = note

    def compose(self) -> ComposeResult:
        kinds = [(UNKNOWN_KIND, UNKNOWN_KIND), *((kind, kind) for kind in SPEAKER_KINDS)]
        with Vertical(classes="prompt"):
            yield Label(Text(f"Edit claim {self.claim_id} (the document keeps its sentence)"))
            if self.note:
                yield Label(Text(self.note), classes="prompt-note")
            yield Input(value=self.form.text, placeholder="the claim", id="edit-text")
            yield Input(value=self.form.speaker, placeholder="speaker (empty: none)", id="edit-speaker")
            yield Select(
                kinds, value=self.form.speaker_kind or UNKNOWN_KIND, allow_blank=False, id="edit-kind"
            )
            yield Input(
                value=self.form.dates, placeholder="dates: 2023-02-18, 2023-05-01/2023-05-04", id="edit-dates"
            )
            yield Input(value=self.form.note, placeholder="why (recorded in the audit log)", id="edit-note")
            with Horizontal(classes="prompt-buttons"):
                yield Button("Save", variant="primary", id="edit-save")
                yield Button("Cancel", id="edit-cancel")
            yield Label(Text("Enter in a field or Save: save · Esc: cancel"), classes="prompt-help")

    def _typed(self) -> EditForm:
        kind = self.query_one("#edit-kind", Select).value
        return EditForm(
            text=self.query_one("#edit-text", Input).value,
            speaker=self.query_one("#edit-speaker", Input).value,
            speaker_kind=kind if isinstance(kind, str) and kind != UNKNOWN_KIND else "",
            dates=self.query_one("#edit-dates", Input).value,
            note=self.query_one("#edit-note", Input).value,
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#edit-save")
    def save(self) -> None:
        try:
            form = self._typed().validated()
        except InvalidInputError as exc:
            self.app.notify(str(exc), title="Not saved", severity="error", markup=False)
            return
        self.dismiss(form)

    @on(Button.Pressed, "#edit-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
