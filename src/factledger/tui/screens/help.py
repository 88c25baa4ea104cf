"""The help screen: the claims screen's own keys, grouped by task, with their current keys and ids.

Textual's inherited bindings (scrolling, focus, copy) are left out: the claims screen does not use them,
and a first-time reviewer reads this screen to learn the app's keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from factledger.tui.keys import TASKS, keys_shown, main_binding


@dataclass(frozen=True)
class HelpEntry:
    task: str
    keys: str
    description: str
    binding_id: str


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close")
    ]

    def __init__(self, entries: list[HelpEntry]) -> None:
        super().__init__()
        self.entries = entries

    def compose(self) -> ComposeResult:
        table = Table(title=Text("factledger review — keys"), expand=True, show_edge=False)
        table.add_column(Text("key"), style="bold", no_wrap=True)
        table.add_column(Text("does"))
        table.add_column(Text("id for [keys] in factledger.toml"), style="dim")
        task = None
        for entry in self.entries:
            if entry.task != task:
                if task is not None:
                    table.add_section()
                task = entry.task
                table.add_row(Text(entry.task, style="bold underline"), Text(""), Text(""))
            table.add_row(Text(entry.keys), Text(entry.description), Text(entry.binding_id))
        footer = Text(
            'Remap any key in factledger.toml, e.g.\n[keys]\nset_supported = "ctrl+s"\n'
            "ctrl+p opens the command palette: find an action by its name. Esc closes this screen.",
            style="dim",
        )
        with VerticalScroll(classes="help"):
            yield Static(table)
            yield Static(footer)

    def action_close(self) -> None:
        self.dismiss(None)


def help_entries(app: App[Any]) -> list[HelpEntry]:
    """One entry per binding of the claims screen, by task, with all of its keys as remapped."""
    entries = []
    for task, binding_ids in TASKS.items():
        for binding_id in binding_ids:
            binding = main_binding(binding_id)
            entries.append(HelpEntry(task, keys_shown(app, binding), binding.description, binding_id))
    return entries
