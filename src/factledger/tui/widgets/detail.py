"""The detail pane: one claim in its document's context, its evidence, the suggestion and its history.

Everything shown here that came from outside (claim and document text, quotes, URLs, titles, notes,
names) is appended to a rich ``Text`` as plain strings, so square brackets are shown, never parsed, and
each part passes through ``factledger.terminal.printable`` before it is shown, so a control character
(an ESC [2J, an OSC 8 link) is shown as a visible stand-in and never reaches the terminal.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from factledger.ledger.review_queries import ClaimDetail, EventView, EvidenceDetail
from factledger.terminal import printable
from factledger.tui.describe import describe_change
from factledger.tui.widgets.claim_table import HEALTH_STYLES, STATUS_STYLES

LABEL = Style(bold=True)
DIM = Style(dim=True)
CLAIM_SPAN = Style(bold=True, reverse=True)
QUOTE_STYLES = {
    "found": Style(color="green", bold=True),
    "fuzzy": Style(color="yellow"),
    "missing": Style(color="red", bold=True),
    "no_snapshot": Style(color="magenta"),
    "no_text": Style(color="magenta"),
    "unchecked": DIM,
}
STANCE_STYLES = {"supports": Style(color="green"), "refutes": Style(color="red"), "context": DIM}


def _field(text: Text, label: str, value: Any, style: Style | None = None) -> None:
    text.append(f"{label} ", LABEL)
    text.append("—" if value in (None, "", []) else str(value), style or Style())
    text.append("   ")


def render_header(detail: ClaimDetail) -> Text:
    text = Text()
    text.append(f"Claim {detail.id}", Style(bold=True))
    text.append("  ")
    text.append(detail.status, STATUS_STYLES.get(detail.status, Style()))
    text.append(f"  version {detail.version}", DIM)
    if detail.needs_review:
        text.append("  ⚑ needs review", Style(color="red", bold=True))
        if detail.needs_review_reason:
            text.append(": ")
            text.append(detail.needs_review_reason)
    text.append("\n")
    _field(text, "speaker", detail.speaker)
    _field(text, "dates", ", ".join(str(d) for d in detail.dates))
    score = None if detail.score is None else f"{detail.score:.2f}"
    _field(text, "check-worthiness", score)
    _field(text, "assignee", detail.assignee)
    _field(text, "updated", f"{detail.updated_at:%Y-%m-%d %H:%M} UTC")
    if detail.score_reasons:
        text.append("\n")
        text.append("why check-worthy ", LABEL)
        text.append("; ".join(str(r) for r in detail.score_reasons), DIM)
    text.append("\n")
    text.append("suggested verdict ", LABEL)
    if detail.suggested:
        text.append(detail.suggested, STATUS_STYLES.get(detail.suggested, Style()))
        if detail.suggestion_reason:
            text.append(" — ")
            text.append(detail.suggestion_reason)
    else:
        text.append("none yet (cite sources and fetch them)", DIM)
    if detail.rationale:
        text.append("\n")
        text.append("rationale ", LABEL)
        text.append(detail.rationale)
    return text


def render_context(detail: ClaimDetail) -> Text:
    text = Text()
    if detail.document_title is not None or detail.context_before or detail.context_after:
        text.append("in ", DIM)
        text.append(detail.document_title or "its document", Style(italic=True))
        text.append("\n")
        text.append("…" if detail.context_before else "", DIM)
        text.append(detail.context_before, DIM)
        # The document's own words; a reviewer's correction of the claim follows them.
        text.append(detail.sentence or detail.text, CLAIM_SPAN)
        text.append(detail.context_after, DIM)
        text.append("…" if detail.context_after else "", DIM)
        if detail.original_text is not None:
            text.append("\n")
            text.append("edited ", LABEL)
            text.append(detail.text, Style(bold=True))
    else:
        text.append(detail.text, Style(bold=True))
        if detail.original_text is not None:
            text.append("\n")
            text.append("edited; first recorded as ", LABEL)
            text.append(detail.original_text, DIM)
    return text


def render_evidence(evidence: list[EvidenceDetail], selected: int) -> Text:
    text = Text()
    text.append(f"Evidence ({len(evidence)})", LABEL)
    text.append("   [/] select · o open the capture · c cite · f fetch now", DIM)
    if not evidence:
        text.append("\n  none yet", DIM)
    for index, item in enumerate(evidence):
        marker = "▶" if index == selected else " "
        text.append(f"\n{marker} {index + 1}. ")
        text.append(f"{item.stance:<8}", STANCE_STYLES.get(item.stance, Style()))
        text.append(" quote ")
        text.append(item.quote_status, QUOTE_STYLES.get(item.quote_status, Style()))
        if item.quote_score is not None:
            text.append(f" {item.quote_score:.2f}", DIM)
        text.append(" · source ")
        text.append(item.health, HEALTH_STYLES.get(item.health, DIM))
        if item.health_reason:
            text.append(" (")
            text.append(item.health_reason, DIM)
            text.append(")")
        text.append("\n     ")
        text.append(item.url, Style(underline=True))
        if item.title:
            text.append("  ")
            text.append(item.title, Style(italic=True))
        if item.quote:
            text.append("\n     “")
            text.append(item.quote)
            text.append("”")
        for line in item.quote_detail:
            text.append("\n     ")
            text.append(str(line), DIM)
        if item.note:
            text.append("\n     note: ", DIM)
            text.append(item.note)
    return text


def _event_line(event: EventView) -> Text:
    text = Text()
    text.append(f"\n{event.at:%Y-%m-%d %H:%M}  ", DIM)
    text.append(event.actor, Style(bold=True))
    text.append(f"  {event.kind}")
    change = describe_change(event)
    if change:
        text.append("  ")
        text.append(change, DIM)
    if event.rationale:
        text.append("\n      “")
        text.append(event.rationale, Style(italic=True))
        text.append("”")
    return text


def render_history(events: list[EventView]) -> Text:
    text = Text()
    text.append(f"History ({len(events)} events, newest first)", LABEL)
    for event in reversed(events):
        text.append_text(_event_line(event))
    return text


def render_detail(detail: ClaimDetail, selected_evidence: int) -> RenderableType:
    rule = Text("─" * 40, DIM)
    return Group(
        shown(render_header(detail)),
        rule,
        shown(render_context(detail)),
        rule,
        shown(render_evidence(detail.evidence, selected_evidence)),
        rule,
        shown(render_history(detail.events)),
    )


def shown(text: Text) -> Text:
    """``text`` with its control characters made visible; ``printable`` maps one character to one, so
    the styles' spans still cover the same characters."""
    text.plain = printable(text.plain)
    return text


class DetailPane(VerticalScroll):
    """Scrolls; holds one Static that is replaced whenever the claim (or the selection) changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detail: ClaimDetail | None = None
        self.selected_evidence = 0

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("loading…", DIM), id="detail-body")

    def show(self, detail: ClaimDetail | None, *, keep_selection: bool = False) -> None:
        same_claim = self.detail is not None and detail is not None and self.detail.id == detail.id
        self.detail = detail
        if not (keep_selection and same_claim):
            self.selected_evidence = 0
        if detail is not None:
            self.selected_evidence = min(self.selected_evidence, max(len(detail.evidence) - 1, 0))
        self._render_body()
        if not same_claim:
            self.scroll_home(animate=False)

    def select_evidence(self, step: int) -> None:
        if self.detail is None or not self.detail.evidence:
            return
        self.selected_evidence = (self.selected_evidence + step) % len(self.detail.evidence)
        self._render_body()

    @property
    def current_evidence(self) -> EvidenceDetail | None:
        if self.detail is None or not self.detail.evidence:
            return None
        return self.detail.evidence[self.selected_evidence]

    def show_message(self, message: str) -> None:
        self.detail = None
        self.query_one("#detail-body", Static).update(Text(message, DIM))

    def _render_body(self) -> None:
        body = self.query_one("#detail-body", Static)
        if self.detail is None:
            body.update(Text("no claim selected", DIM))
        else:
            body.update(render_detail(self.detail, self.selected_evidence))
