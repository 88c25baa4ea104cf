"""Main text and date come from the page's bytes alone: nothing in a page makes the extractors fetch."""

from __future__ import annotations

import pytest

from factledger.text import extract_text
from factledger.text.article import article_parts
from tests.site_server import Page, serve_site

pytestmark = pytest.mark.integration


def test_a_body_that_is_a_url_is_never_fetched() -> None:
    # htmldate's loader downloads a string that looks like a URL; a page's body is untrusted.
    with serve_site() as site:
        site.pages["/target"] = Page(body=b"<html><body><p>fetched</p></body></html>")
        url = site.url("/target")
        result = extract_text(url.encode(), [("Content-Type", "text/html")])
        parts = article_parts(url)
        assert site.hits["/target"] == 0
    assert (parts.main_text, parts.published) == (None, None)
    assert result.published is None
    assert result.full_text == url  # shown as the text it is
