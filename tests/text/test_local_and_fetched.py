"""A saved HTML page and the same page fetched by URL give the same document, compressed or not, and
what ingest reads from a capture is derived once and then read from the text store."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from factledger.archive.options import ArchivePaths, RunOptions
from factledger.archive.textstore import TextStore
from factledger.ingest.pipeline import extract_candidates
from factledger.ingest.reader import read_document
from factledger.ingest.web import capture_page
from factledger.ledger.database import Ledger
from tests.conftest import Factledger
from tests.site_server import Page, Site, serve_site

pytestmark = pytest.mark.integration

ARTICLE = """<!doctype html><html><head><meta charset="utf-8">
<title>Talks in Munich</title>
<meta property="article:published_time" content="2024-01-14T09:00:00Z">
</head><body><nav>Home | World | Opinion</nav><article>
<h1>Talks in Munich</h1>
<p>On February 18 last year, Secretary Blinken met Prime Minister Pashinyan and President Aliyev in Munich.</p>
<p>USAID Administrator Samantha Power announced $11.5 million in humanitarian aid on September 26.</p>
<p>The ministers said that “the road to peace runs through Munich”, and agreed to meet again in March.</p>
<table><tr><td>Aid</td><td>$11.5 million</td></tr></table>
<p>One can conclude that the talks seemed to go well.</p>
</article><footer>Copyright the newsroom</footer></body></html>""".encode()


def _raw_deflate(body: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()


# How the page travels: as it is, or compressed as servers answer a fetcher that asks for gzip.
ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "identity": lambda body: body,
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "raw-deflate": _raw_deflate,
}


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as running:
        yield running


def _serve(site: Site, path: str, encoding: str) -> str:
    headers = () if encoding == "identity" else (("Content-Encoding", encoding.removeprefix("raw-")),)
    site.pages[path] = Page(body=ENCODINGS[encoding](ARTICLE), headers=headers)
    return site.url(path)


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_a_saved_page_and_the_page_by_url_give_the_same_document(
    ledger: Ledger, site: Site, tmp_path: Path, encoding: str
) -> None:
    saved = tmp_path / "talks-in-munich.html"
    saved.write_bytes(ARTICLE)
    url = _serve(site, "/munich", encoding)

    local = read_document(saved)
    paths = ArchivePaths.under(tmp_path / "home")
    fetched = capture_page(ledger, "tester", url, paths, RunOptions(allow_private=True)).document

    assert site.hits["/munich"] == 1
    assert fetched.url == url
    assert replace(fetched, url=None) == local
    assert local.title == "Talks in Munich"
    assert local.published == date(2024, 1, 14)  # from the meta tag, also when the body came compressed
    assert "Secretary Blinken met Prime Minister Pashinyan" in local.body
    assert "Copyright" not in local.body  # the main text, not the page's chrome
    claims = [(c.text, c.start, c.end, c.dates) for c in extract_candidates(local)]
    assert claims == [(c.text, c.start, c.end, c.dates) for c in extract_candidates(fetched)]
    assert any(text.startswith("On February 18 last year") for text, *_ in claims)


def test_ingesting_the_saved_page_then_its_url_finds_the_same_document(
    factledger: Factledger, site: Site, tmp_path: Path
) -> None:
    saved = tmp_path / "talks-in-munich.html"
    saved.write_bytes(ARTICLE)
    url = _serve(site, "/munich", "gzip")

    [from_file] = factledger.json("ingest", str(saved))
    [from_url] = factledger.json("ingest", url, "--allow-private")

    assert from_file["already_ingested"] is False
    assert from_file["claims_created"] >= 2
    # Documents are identified by their body: the capture's is the file's.
    assert from_url["already_ingested"] is True
    assert from_url["document_id"] == from_file["document_id"]


def test_a_capture_is_read_for_its_text_once(ledger: Ledger, site: Site, tmp_path: Path) -> None:
    url = _serve(site, "/munich", "gzip")
    paths = ArchivePaths.under(tmp_path / "home")
    first = capture_page(ledger, "tester", url, paths, RunOptions(allow_private=True))
    texts = TextStore(paths.texts)
    digest = hashlib.sha256(site.pages["/munich"].body).hexdigest()  # the bytes as received
    kept = texts.get_readable(digest, "text/html; charset=utf-8")
    assert kept is not None
    assert kept.published == date(2024, 1, 14)
    assert kept.title == first.document.title

    # What is kept is what the next ingest of these bytes reads: the capture is not parsed again.
    texts.put_readable(digest, "text/html; charset=utf-8", replace(kept, title="Kept, not parsed again"))
    again = capture_page(ledger, "tester", url, paths, RunOptions(allow_private=True))
    assert site.hits["/munich"] == 2
    assert again.snapshot_id != first.snapshot_id
    assert again.document.title == "Kept, not parsed again"
    assert again.document.body == first.document.body
