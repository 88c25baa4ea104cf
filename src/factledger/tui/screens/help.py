"""The help screen: every binding of the screen it was opened from, with its current key and id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


@dataclass(frozen=True)
class HelpEntry:
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
        for entry in self.entries:
            table.add_row(Text(entry.keys), Text(entry.description), Text(entry.binding_id))
        footer = Text(
            'Remap any key in factledger.toml, e.g.\n[keys]\nset_supported = "ctrl+s"\n'
            "ctrl+p opens the command palette with every action. Esc closes this screen.",
            style="dim",
        )
        with VerticalScroll(classes="help"):
            yield Static(table)
            yield Static(footer)

    def action_close(self) -> None:
        self.dismiss(None)


def help_entries(screen: Screen[Any]) -> list[HelpEntry]:
    """One entry per binding (all of its keys together, as remapped), in the order they are declared."""
    keys: dict[str, list[str]] = {}
    found: dict[str, HelpEntry] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        ident = binding.id or binding.action
        keys.setdefault(ident, []).append(screen.app.get_key_display(binding))
        found[ident] = HelpEntry("", binding.description or binding.action, binding.id or "")
    return [
        HelpEntry(", ".join(dict.fromkeys(keys[ident])), entry.description, entry.binding_id)
        for ident, entry in found.items()
    ]
