"""What the review app is run with: who reviews, where the archive is, the keymap, and fetch-on-cite."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factledger.archive.runner import ArchivePaths, RunOptions
from factledger.config import Settings
from factledger.tui.keys import keymap_from_options


@dataclass(frozen=True)
class ReviewConfig:
    reviewer: str
    home: Path
    store: str | None = None  # the capture store's URL (None: the directories in ``home``)
    allow_private_networks: bool = False
    keymap: dict[str, str] = field(default_factory=dict)
    keymap_problems: list[str] = field(default_factory=list)
    # Fetch a source as soon as it is cited (what a reviewer wants; tests without a network turn it off).
    auto_fetch: bool = True
    # How often the app asks the ledger whether anyone changed anything (seconds; 0: never). At rest
    # that is one primary-key read of the audit log (app.queue.changes), cheap at any ledger size.
    watch_seconds: float = 2.0

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ReviewConfig:
        keymap, problems = keymap_from_options(settings.options)
        values: dict[str, Any] = {
            "reviewer": settings.reviewer,
            "home": settings.home,
            "store": settings.store,
            "allow_private_networks": settings.allow_private_networks,
            "keymap": keymap,
            "keymap_problems": problems,
        }
        return cls(**(values | overrides))

    @property
    def archive_paths(self) -> ArchivePaths:
        return ArchivePaths.under(self.home, self.store)

    @property
    def capture_options(self) -> RunOptions:
        """How a fetch started from the app captures (app.capture.capture_now)."""
        return RunOptions(allow_private=self.allow_private_networks)
