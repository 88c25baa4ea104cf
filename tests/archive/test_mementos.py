"""Internet Archive mementos as sources: cited as written, archived in their raw form, shown with the
original URL and the capture date."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime

import httpcore
import pytest

from factledger.archive.mementos import parse_memento, url_to_fetch
from factledger.archive.runner import ArchivePaths, RunOptions, run_archive
from factledger.ledger.database import open_ledger
from tests.archive_servers import FakeResolver, LoopbackOnlyBackend
from tests.conftest import Factledger
from tests.site_server import Site


def test_a_memento_url_names_its_original_and_date() -> None:
    memento = parse_memento("https://web.archive.org/web/20201009123456/https://example.com/report?x=1")
    assert memento is not None
    assert memento.original_url == "https://example.com/report?x=1"
    assert memento.captured == datetime(2020, 10, 9, 12, 34, 56, tzinfo=UTC)
    assert memento.raw_url == "https://web.archive.org/web/20201009123456id_/https://example.com/report?x=1"


@pytest.mark.parametrize(
    ("cited", "fetched"),
    [
        (
            "http://web.archive.org/web/2019im_/http://example.org/a",
            "http://web.archive.org/web/2019id_/http://example.org/a",
        ),
        (
            "https://web.archive.org/web/20190101000000/example.org/a",
            "https://web.archive.org/web/20190101000000id_/http://example.org/a",
        ),
        (
            "https://example.org/web/20190101000000/https://example.com/",
            "https://example.org/web/20190101000000/https://example.com/",
        ),
        ("https://web.archive.org/web/*/example.org/*", "https://web.archive.org/web/*/example.org/*"),
    ],
)
def test_what_the_archiver_fetches(cited: str, fetched: str) -> None:
    assert url_to_fetch(cited) == fetched


class _WaybackOnLoopback(LoopbackOnlyBackend):
    """Sends the connections the guard makes to web.archive.org:80 to the test site's port."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await super().connect_tcp(host, self.port, timeout, local_address, socket_options)


pytestmark = pytest.mark.integration

CITED = "http://web.archive.org/web/20201009123456/http://example.com/report"
RAW = "/web/20201009123456id_/http://example.com/report"
REPLAY = "/web/20201009123456/http://example.com/report"


def test_a_memento_is_archived_from_its_raw_form_and_shown_with_its_original(
    factledger: Factledger, site: Site
) -> None:
    """Archiving fetched the replay page (toolbar and all), and `claims show` gave only the memento URL."""
    site.html(RAW, "The shelter took in 198 families over the winter.")
    site.html(REPLAY, "WAYBACK TOOLBAR. The shelter took in 198 families over the winter.")
    cid = str(factledger.json("claims", "add", "The shelter took in 198 families.")["id"])
    factledger("cite", cid, CITED, "--stance", "supports", "--quote", "took in 198 families")
    ledger = open_ledger(factledger.db_url)
    try:
        summary = asyncio.run(
            run_archive(
                ledger,
                "archiver",
                ArchivePaths.under(factledger.home),
                RunOptions(allow_private=True),
                resolver=FakeResolver({"web.archive.org": ["127.0.0.1"]}),
                network_backend=_WaybackOnLoopback(site.port),
            )
        )
    finally:
        ledger.close()
    assert summary.ok == 1
    assert (site.hits[RAW], site.hits[REPLAY]) == (1, 0)
    [source] = factledger.json("sources", "list")
    assert (source["url"], source["health"]) == (CITED, "ok")  # cited as written, not "redirected"
    assert factledger.snapshots()[0].final_url == f"http://web.archive.org{RAW}"
    shown = factledger.json("claims", "show", cid)["evidence"][0]
    assert shown["url"] == CITED
    assert shown["memento"] == {
        "original_url": "http://example.com/report",
        "captured": "2020-10-09T12:34:56+00:00",
    }
    text = factledger("claims", "show", cid).stdout
    assert "Internet Archive copy of http://example.com/report, captured 2020-10-09 12:34 UTC" in text
