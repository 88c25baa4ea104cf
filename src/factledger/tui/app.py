"""The review app: a keyboard-first triage queue over a ledger (``factledger review``)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from factledger.ledger.database import Ledger
from factledger.tui.config import ReviewConfig
from factledger.tui.keys import MAIN_BINDINGS
from factledger.tui.screens.main import MainScreen

__all__ = ["ReviewApp", "ReviewConfig"]


class ReviewApp(App[None]):
    TITLE = "factledger review"
    CSS_PATH = "review.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit")
    ]

    def __init__(self, ledger: Ledger, config: ReviewConfig) -> None:
        super().__init__()
        self.ledger = ledger
        self.config = config

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen(self.ledger, self.config)

    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        for problem in self.config.keymap_problems:
            self.notify(problem, title="factledger.toml", severity="warning", markup=False, timeout=10)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action of the claims screen in the command palette, with the key that does it."""
        yield from super().get_system_commands(screen)
        if not isinstance(screen, MainScreen):
            return
        for binding in MAIN_BINDINGS:
            if not isinstance(binding, Binding) or binding.action == "app.quit":
                continue
            keys = self._keys_for(binding)
            yield SystemCommand(
                binding.description,
                f"{binding.description} ({keys})" if keys else binding.description,
                partial(screen.run_action, binding.action),
            )

    def _keys_for(self, binding: Binding) -> str:
        keys = self._keymap.get(binding.id, binding.key) if binding.id else binding.key
        return ", ".join(
            self.get_key_display(Binding(key.strip(), binding.action)) for key in keys.split(",")
        )
