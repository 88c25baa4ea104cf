"""Internet Archive mementos cited as sources: ``https://web.archive.org/web/<timestamp>/<url>``.

A memento stays cited as it was written (it is what the fact-check points at), but its replay page
wraps the original in the Wayback toolbar and rewrites its links. Archiving one therefore fetches its
raw form, ``<timestamp>id_/<url>``, which the Wayback Machine serves as the original page, so the
capture (and the quote checks on it) hold the page that was cited. People are shown the original URL
and the memento's date beside the cited URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

# <timestamp> is 1 to 14 digits (YYYYMMDDhhmmss, shorter forms are prefixes); an optional replay
# modifier (id_, im_, if_, js_, cs_, oe_, …) follows it.
_MEMENTO = re.compile(
    r"^https?://web\.archive\.org/web/(?P<timestamp>\d{1,14})(?P<modifier>[a-z]{2}_)?/(?P<original>.+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Memento:
    url: str  # as cited
    original_url: str
    timestamp: str  # as written: 1 to 14 digits

    @property
    def captured(self) -> datetime | None:
        """When the Internet Archive captured the original (None for an impossible timestamp)."""
        digits = self.timestamp.ljust(14, "0")
        # A short timestamp means "the capture nearest to this prefix": month and day 00 become 01.
        year, month, day, rest = digits[:4], digits[4:6], digits[6:8], digits[8:]
        try:
            return datetime.strptime(
                f"{year}{max(month, '01')}{max(day, '01')}{rest}", "%Y%m%d%H%M%S"
            ).replace(tzinfo=UTC)
        except ValueError:
            return None

    @property
    def raw_url(self) -> str:
        """The original page as the Wayback Machine stored it, without its replay toolbar."""
        scheme = self.url.split(":", 1)[0].lower()
        return f"{scheme}://web.archive.org/web/{self.timestamp}id_/{self.original_url}"


def parse_memento(url: str) -> Memento | None:
    """The memento ``url`` names, or None when it is not a Wayback Machine memento of a web page."""
    match = _MEMENTO.match(url)
    if match is None:
        return None
    original = match.group("original")
    if not re.match(r"^https?://", original, re.IGNORECASE):
        original = f"http://{original}"  # the Wayback Machine accepts web/<ts>/example.com/page
    return Memento(url=url, original_url=original, timestamp=match.group("timestamp"))


def url_to_fetch(url: str) -> str:
    """What the archiver requests for a cited ``url``: a memento's raw form, else the URL itself."""
    memento = parse_memento(url)
    return memento.raw_url if memento is not None else url
