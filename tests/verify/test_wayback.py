"""The Internet Archive availability lookup, against httpx.MockTransport (never the real network)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from factledger.verify.wayback import lookup_wayback, parse_availability

pytestmark = pytest.mark.unit

AVAILABLE = {
    "url": "example.com/gone",
    "archived_snapshots": {
        "closest": {
            "status": "200",
            "available": True,
            "url": "http://web.archive.org/web/20230218120000/https://example.com/gone",
            "timestamp": "20230218120000",
        }
    },
}


def test_lookup_reads_the_closest_capture() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=AVAILABLE)

    found = lookup_wayback("https://example.com/gone", transport=httpx.MockTransport(handler))
    assert found is not None
    assert found.url.startswith("http://web.archive.org/web/20230218120000/")
    assert found.timestamp == datetime(2023, 2, 18, 12, 0, tzinfo=UTC)
    assert seen[0].url.host == "archive.org"
    assert seen[0].url.params["url"] == "https://example.com/gone"


def test_no_capture_and_failures_mean_none() -> None:
    def empty(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"url": "x", "archived_snapshots": {}})

    def broken(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>not json</html>")

    def unavailable(_: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    def refuses(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    for handler in (empty, broken, unavailable, refuses):
        assert lookup_wayback("https://example.com/x", transport=httpx.MockTransport(handler)) is None


def test_hostile_answers_are_ignored() -> None:
    assert parse_availability(["not", "a", "dict"]) is None
    bad_scheme = {
        "archived_snapshots": {
            "closest": {"available": True, "url": "javascript:alert(1)", "timestamp": "20230101000000"}
        }
    }
    assert parse_availability(bad_scheme) is None
    bad_stamp = {
        "archived_snapshots": {
            "closest": {"available": True, "url": "https://w.org/x", "timestamp": "yesterday"}
        }
    }
    assert parse_availability(bad_stamp) is None
