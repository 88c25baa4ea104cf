"""The reader: a source's archived text with the evidence's quote selected and scrolled into view.

``[`` and ``]`` step through the source's captures, oldest to newest; ``d`` shows what changed
against the capture before. Offsets from the quote check apply to the capture they were found in;
in any other capture the quote is looked up verbatim.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea
from textual.widgets.text_area import Selection

from factledger.app import sources as app_sources
from factledger.app.claims import memento_of
from factledger.archive.runner import ArchivePaths
from factledger.ledger.database import Ledger
from factledger.ledger.review_queries import EvidenceDetail
from factledger.terminal import printable
from factledger.tui.widgets.detail import shown

MAX_DIFF_LINES = 2000


@dataclass(frozen=True)
class Capture:
    id: int
    fetched_at: datetime
    http_status: int | None
    error: str | None
    drift: str | None


@dataclass(frozen=True)
class LoadedText:
    index: int
    text: str | None
    previous: str | None


def _location(text: str, index: int) -> tuple[int, int]:
    """(row, column) of a character offset, as TextArea counts them."""
    row = text.count("\n", 0, index)
    return row, index - (text.rfind("\n", 0, index) + 1)


class ReaderScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", id="reader.close"),
        Binding("left_square_bracket", "earlier", "Earlier capture", id="reader.earlier"),
        Binding("right_square_bracket", "later", "Later capture", id="reader.later"),
        Binding("d", "toggle_diff", "What changed", id="reader.diff"),
        Binding("n", "find_quote", "Quote", id="reader.quote"),
    ]

    class _Captures(Message):
        def __init__(self, captures: list[Capture]) -> None:
            self.captures = captures
            super().__init__()

    class _Text(Message):
        def __init__(self, loaded: LoadedText) -> None:
            self.loaded = loaded
            super().__init__()

    class _Failed(Message):
        def __init__(self, error: Exception) -> None:
            self.error = error
            super().__init__()

    def __init__(self, ledger: Ledger, paths: ArchivePaths, evidence: EvidenceDetail) -> None:
        super().__init__()
        self.ledger = ledger
        self.paths = paths
        self.evidence = evidence
        self.captures: list[Capture] = []
        self.index = -1
        self.showing_diff = False
        self.loaded: LoadedText | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("loading captures…", Style(dim=True)), id="reader-header")
        yield TextArea("", read_only=True, soft_wrap=True, show_cursor=False, id="reader-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).cursor_blink = False
        self._load_captures()

    @work(thread=True, exclusive=True, group="reader", exit_on_error=False)
    def _load_captures(self) -> None:
        try:
            captures = [
                Capture(s.id, s.fetched_at, s.http_status, s.error_kind, s.drift)
                for s in app_sources.captures_with_text(self.ledger, self.evidence.source_id)
            ]
        except Exception as exc:
            self.post_message(self._Failed(exc))
            return
        self.post_message(self._Captures(captures))

    def on_reader_screen__captures(self, message: _Captures) -> None:
        self.captures = message.captures
        if not self.captures:
            self._header(Text("no capture with text yet: press f on the claim to fetch its sources"))
            return
        wanted = self.evidence.quote_snapshot_id
        ids = [c.id for c in self.captures]
        self._show(ids.index(wanted) if wanted in ids else len(ids) - 1)

    def _show(self, index: int) -> None:
        self.index = index
        self._header(Text("loading text…", Style(dim=True)))
        self._load_text(index)

    @work(thread=True, exclusive=True, group="reader-text", exit_on_error=False)
    def _load_text(self, index: int) -> None:
        try:
            previous_id = self.captures[index - 1].id if index > 0 else None
            text, previous = app_sources.capture_texts(
                self.ledger, self.paths, self.evidence.source_id, self.captures[index].id, previous_id
            )
        except Exception as exc:
            self.post_message(self._Failed(exc))
            return
        self.post_message(self._Text(LoadedText(index, text, previous)))

    def on_reader_screen__text(self, message: _Text) -> None:
        if message.loaded.index != self.index:
            return
        self.loaded = message.loaded
        self._refresh_view()

    def on_reader_screen__failed(self, message: _Failed) -> None:
        self._header(Text("could not read the capture", Style(color="red")))
        self.app.notify(str(message.error), title="Reader", severity="error", markup=False)

    def _refresh_view(self) -> None:
        loaded = self.loaded
        if loaded is None:
            return
        area = self.query_one(TextArea)
        capture = self.captures[loaded.index]
        header = Text()
        header.append(self.evidence.url, Style(bold=True))
        memento = memento_of(self.evidence.url)
        if memento is not None:  # a Wayback Machine memento: the page it preserves, and from when
            when = f"{memento['captured']:%Y-%m-%d %H:%M} UTC" if memento["captured"] else "an unknown date"
            header.append(f"\nInternet Archive copy of {memento['original_url']}, captured {when}")
        header.append(f"\ncapture {loaded.index + 1} of {len(self.captures)}", Style(bold=True))
        header.append(f" · {capture.fetched_at:%Y-%m-%d %H:%M} UTC")
        header.append(f" · HTTP {capture.http_status}" if capture.http_status else "")
        header.append(f" · {capture.drift}" if capture.drift else "")
        if self.showing_diff:
            header.append(" · showing what changed since the capture before", Style(color="yellow"))
            area.load_text(self._diff(loaded))
            self._header(header)
            return
        area.load_text(printable(loaded.text or ""))
        span = self._quote_span(loaded)
        if self.evidence.quote:
            header.append("\nquote ")
            header.append(
                "highlighted" if span else "not found verbatim in this capture",
                Style(color="green") if span else Style(color="red"),
            )
            # Why it is missing or fuzzy ("number differs: …"): the words `verify` gave.
            why = "; ".join(self.evidence.quote_detail)
            header.append(f" ({self.evidence.quote_status}{': ' + why if why else ''})", Style(dim=True))
        self._header(header)
        if span is not None:
            self._select(*span)

    def _quote_span(self, loaded: LoadedText) -> tuple[int, int] | None:
        text = loaded.text or ""
        evidence = self.evidence
        capture_id = self.captures[loaded.index].id
        if (
            capture_id == evidence.quote_snapshot_id
            and evidence.quote_start is not None
            and evidence.quote_end is not None
            and 0 <= evidence.quote_start < evidence.quote_end <= len(text)
        ):
            return evidence.quote_start, evidence.quote_end
        if evidence.quote:
            found = text.find(evidence.quote)
            if found >= 0:
                return found, found + len(evidence.quote)
        return None

    def _select(self, start: int, end: int) -> None:
        area = self.query_one(TextArea)
        area.selection = Selection(_location(area.text, start), _location(area.text, end))
        self.call_after_refresh(area.scroll_cursor_visible, center=True, animate=False)

    def _diff(self, loaded: LoadedText) -> str:
        if loaded.previous is None:
            return "(this is the first capture with text: nothing to compare with)"
        lines = list(
            difflib.unified_diff(
                printable(loaded.previous).splitlines(),
                printable(loaded.text or "").splitlines(),
                "capture before",
                "this capture",
                lineterm="",
            )
        )
        if not lines:
            return "(the text is the same as in the capture before)"
        return "\n".join(lines[:MAX_DIFF_LINES])

    def _header(self, text: Text) -> None:
        # The header holds the source's URL: control characters made visible, spans kept (one for one).
        self.query_one("#reader-header", Static).update(shown(text))

    def action_earlier(self) -> None:
        if self.index > 0:
            self._show(self.index - 1)

    def action_later(self) -> None:
        if 0 <= self.index < len(self.captures) - 1:
            self._show(self.index + 1)

    def action_toggle_diff(self) -> None:
        self.showing_diff = not self.showing_diff
        self._refresh_view()

    def action_find_quote(self) -> None:
        if self.loaded is not None and not self.showing_diff:
            span = self._quote_span(self.loaded)
            if span is not None:
                self._select(*span)

    def action_close(self) -> None:
        self.dismiss(None)
