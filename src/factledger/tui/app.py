"""The review app: a keyboard-first triage queue over a ledger (``factledger review``)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from factledger.ledger.database import Ledger
from factledger.terminal import printable
from factledger.tui.config import ReviewConfig
from factledger.tui.keys import MAIN_BINDINGS, NOT_IN_PALETTE, keys_shown
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

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notice passes through the terminal sanitiser: an error or a notice may quote a URL, a
        server's reason phrase or a reviewer's text, and Textual writes control characters through."""
        super().notify(
            printable(message), title=printable(title), severity=severity, timeout=timeout, markup=markup
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette: each action of the claims screen once, with the key that does it.

        Textual's own entries (theme, screenshot, its key panel, maximize) are left out: a reviewer
        never needs them, and ``?`` is the help for this app."""
        if not isinstance(screen, MainScreen):
            yield SystemCommand("Quit", "", self.action_quit)
            return
        for binding in MAIN_BINDINGS:
            if not isinstance(binding, Binding) or binding.id in NOT_IN_PALETTE:
                continue
            keys = keys_shown(self, binding)
            yield SystemCommand(
                f"{binding.description} ({keys})" if keys else binding.description,
                "",
                partial(screen.run_action, binding.action),
            )
