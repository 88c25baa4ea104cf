"""A page's <title> loses the site's name (named by the page's URL), and nothing else."""

from __future__ import annotations

import pytest

from factledger.ingest.page_title import headline_of_page_title
from factledger.ingest.reader import read_page
from factledger.text import ReadableText

pytestmark = pytest.mark.unit

HEADLINE = "Harbour council approves $4.2 million sea wall after two years of delay"


@pytest.mark.parametrize(
    ("title", "url"),
    [
        (f"{HEADLINE} | Lakeside Courier", "https://www.lakesidecourier.com/news/1"),
        (f"{HEADLINE} - Lakeside Courier", "https://lakesidecourier.com/a"),
        (f"{HEADLINE} – The Lakeside Courier", "https://lakeside-courier.co.uk/a"),
        (f"Courier News — {HEADLINE}", "https://courier.example.org/x"),
        (f"{HEADLINE} · LKS News", "https://www.lksnews.com/x"),  # an acronym spelt by the host
        (f"{HEADLINE} :: Valley Times", "https://valleytimesonline.com/x"),  # a word the host contains
    ],
)
def test_the_sites_name_is_removed(title: str, url: str) -> None:
    assert headline_of_page_title(title, url) == HEADLINE


def test_a_section_name_before_the_sites_name_stays() -> None:
    """Only the site is known from the URL; a section ("Local") could be a word of the headline."""
    title = f"{HEADLINE} | Local | The Courier"
    assert headline_of_page_title(title, "https://m.courier.example.net/story") == f"{HEADLINE} | Local"


@pytest.mark.parametrize(
    ("title", "url"),
    [
        # A separator inside the headline: neither part names the site.
        ("Dow falls 500 points - biggest drop since 2020", "https://www.lakesidecourier.com/a"),
        # A colon is the headline's own punctuation.
        ("Courier: the council will raise parking fees", "https://courier.example.org/x"),
        # No URL (a saved file) or an address with no name: nothing says which segment is the site.
        (f"{HEADLINE} | Lakeside Courier", None),
        (f"{HEADLINE} | Lakeside Courier", "http://127.0.0.1:8080/a"),
        # The only segment is never removed, even when it names the site.
        ("Lakeside Courier", "https://lakesidecourier.com/"),
        # A long trailing segment is part of the headline, not a site's name.
        (
            f"{HEADLINE} - courier readers asked the lakeside mayor why it took so long",
            "https://lakesidecourier.com/a",
        ),
    ],
)
def test_other_titles_are_kept(title: str, url: str | None) -> None:
    assert headline_of_page_title(title, url) == title


def test_a_captured_pages_document_title_is_the_headline() -> None:
    readable = ReadableText(
        kind="html",
        text="The council voted 7-2 on Tuesday to approve the sea wall.",
        title=f"{HEADLINE} | Lakeside Courier",
        published=None,
    )
    document = read_page(readable, url="https://www.lakesidecourier.com/news/1", source_name="page")
    assert document.title == HEADLINE
