"""factledger.text.extract: the named texts of a payload, the published date also from compressed bodies."""

from __future__ import annotations

import gzip
import importlib.util
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import date

import pytest

from factledger.text import ExtractedText, extract_text, readable_text
from factledger.text.charset import NotUtf8Error, decode_utf8

pytestmark = pytest.mark.unit

PAGE = (
    "<html><head><title>Budget vote</title>"
    '<meta property="article:published_time" content="2023-05-04T10:00:00+02:00"></head>'
    "<body><nav>Home</nav><article><h1>Budget vote</h1>"
    + "".join(
        f"<p>Paragraph {n}: the council approved a budget of {n} million euros after a long debate.</p>"
        for n in range(1, 6)
    )
    + "</article><footer>Footer chrome</footer></body></html>"
).encode()
HTML = [("Content-Type", "text/html; charset=utf-8")]


def _brotli(body: bytes) -> bytes:
    brotli = pytest.importorskip("brotli")
    compressed: bytes = brotli.compress(body)
    return compressed


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", _brotli),
    ],
)
def test_the_published_date_is_found_in_compressed_bodies(
    coding: str, compress: Callable[[bytes], bytes]
) -> None:
    plain = extract_text(PAGE, HTML)
    compressed = extract_text(compress(PAGE), [*HTML, ("Content-Encoding", coding)])
    assert plain.published == date(2023, 5, 4)
    assert compressed == plain


def test_the_capture_path_skips_main_text_and_date() -> None:
    cheap = extract_text(gzip.compress(PAGE), [*HTML, ("Content-Encoding", "gzip")], main_text=False)
    assert (cheap.main_text, cheap.published) == (None, None)
    assert cheap.title == "Budget vote"
    assert cheap.full_text is not None
    assert "Footer chrome" in cheap.full_text
    full = extract_text(PAGE, HTML)
    assert full.main_text is not None
    assert "Paragraph 3: the council approved" in full.main_text
    assert "Footer chrome" not in full.main_text
    assert full.full_text == cheap.full_text


def test_a_page_without_a_declared_date_has_none() -> None:
    page = PAGE.replace(b'<meta property="article:published_time" content="2023-05-04T10:00:00+02:00">', b"")
    assert b"2023" not in page
    assert extract_text(page, HTML).published is None


def test_a_date_in_the_future_is_not_a_publication_date() -> None:
    page = PAGE.replace(b"2023-05-04", b"2999-05-04")
    assert extract_text(page, HTML).published is None


def test_readable_text_is_the_main_text_or_else_the_full_text() -> None:
    full = extract_text(PAGE, HTML)
    readable = readable_text(full)
    assert (readable.kind, readable.text, readable.title, readable.published) == (
        "html",
        full.main_text,
        "Budget vote",
        date(2023, 5, 4),
    )
    without_main = ExtractedText("visible", None, "T", "utf-8", "html", published=None)
    assert readable_text(without_main).text == "visible"
    plain = extract_text(b"Line one.  \r\nLine two.\r\n", [("Content-Type", "text/plain")])
    assert readable_text(plain).text == "Line one.\nLine two."


def test_decode_utf8_is_strict_and_says_where() -> None:
    assert decode_utf8(b"\xef\xbb\xbfcaf\xc3\xa9") == "café"
    with pytest.raises(NotUtf8Error) as raised:
        decode_utf8(b"valid start \xff broken")
    assert (raised.value.offset, raised.value.byte) == (12, 0xFF)


def test_brotli_is_optional() -> None:
    # Without the brotli package a br body reads as an error, never as garbage text.
    if importlib.util.find_spec("brotli") is not None:
        pytest.skip("brotli is installed")
    result = extract_text(b"\x8b\x00\x80", [*HTML, ("Content-Encoding", "br")])
    assert result.full_text is None
    assert result.error is not None
    assert "brotli" in result.error


def test_the_capture_path_never_loads_trafilatura_or_htmldate() -> None:
    # The archiver's worker processes import the text package for every capture; the heavy libraries
    # must stay out of them (start-up time and memory), loaded only when main text or a date is asked for.
    probe = (
        "import sys\n"
        "from factledger.archive import prepare\n"
        "from factledger.text import extract_text\n"
        f"page = {PAGE!r}\n"
        "assert extract_text(page, [('Content-Type', 'text/html')], main_text=False).full_text\n"
        "print(sorted(m for m in ('trafilatura', 'htmldate', 'lxml') if m in sys.modules))\n"
        "extract_text(page, [('Content-Type', 'text/html')])\n"
        "print(sorted(m for m in ('trafilatura', 'htmldate', 'lxml') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["[]", "['htmldate', 'lxml', 'trafilatura']"]


@pytest.mark.parametrize(
    "page",
    [
        b"<html hidden><head><title>Kept</title></head><body><p>Not shown</p></body></html>",
        b'<HTML HIDDEN=""><title>Kept</title><p>Not shown',  # no head or body tags at all
    ],
)
def test_a_hidden_html_element_shows_nothing_and_keeps_its_title(page: bytes) -> None:
    # A browser shows nothing of a page whose root is hidden; lexbor refuses to remove the root, which
    # used to end the extraction with an exception.
    extracted = extract_text(page, [("Content-Type", "text/html; charset=utf-8")], main_text=False)
    assert extracted.full_text is None
    assert extracted.title == "Kept"
    assert extracted.error is None
