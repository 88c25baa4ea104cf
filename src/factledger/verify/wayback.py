"""Asking the Internet Archive whether it holds a capture of a dead source (off by default).

Uses the availability API (``https://archive.org/wayback/available?url=…``). It is only consulted when
``wayback_lookup = true`` is set in factledger.toml, because it sends the source URL to a third party.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

AVAILABILITY_API = "https://archive.org/wayback/available"
TIMEOUT = httpx.Timeout(10.0)


@dataclass(frozen=True)
class WaybackCapture:
    url: str
    timestamp: datetime
    status: str | None


def parse_availability(payload: object) -> WaybackCapture | None:
    """Read the API's answer; anything unexpected means "no capture known", never an exception."""
    if not isinstance(payload, dict):
        return None
    snapshots = payload.get("archived_snapshots")
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or closest.get("available") is not True:
        return None
    url, stamp = closest.get("url"), closest.get("timestamp")
    if not isinstance(url, str) or not isinstance(stamp, str) or not url.startswith(("https://", "http://")):
        return None
    try:
        moment = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    status = closest.get("status")
    return WaybackCapture(url=url, timestamp=moment, status=status if isinstance(status, str) else None)


def lookup_wayback(url: str, *, transport: httpx.BaseTransport | None = None) -> WaybackCapture | None:
    """The Internet Archive's closest capture of ``url``, or None (also when the lookup fails)."""
    try:
        with httpx.Client(transport=transport, timeout=TIMEOUT, follow_redirects=False) as client:
            response = client.get(AVAILABILITY_API, params={"url": url})
            if response.status_code != 200:
                return None
            return parse_availability(response.json())
    except (httpx.HTTPError, ValueError):
        return None
