"""What the review app's prompts hand back, before it goes to the application layer (app/review.py)."""

from __future__ import annotations

from dataclasses import dataclass

from factledger.ledger.statuses import parse_stance
from factledger.ledger.urls import normalize_url


@dataclass(frozen=True)
class CiteRequest:
    url: str
    stance: str
    quote: str

    def validated(self) -> CiteRequest:
        """Check the URL and stance the way the CLI does; raises InvalidInputError."""
        normalize_url(self.url)
        parse_stance(self.stance)
        return self


def optional_text(text: str | None) -> str | None:
    """A prompt's answer: None when nothing but blanks was typed, else without surrounding blanks."""
    return text.strip() if text and text.strip() else None
