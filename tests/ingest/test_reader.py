"""Reading documents: the body is the prose we segment, and bad input is a one-line InvalidInputError."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from factledger.ingest.reader import parse_text, read_document
from factledger.ledger.errors import InvalidInputError

pytestmark = pytest.mark.unit

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "articles"
    / "2024-01-14-us-mediation-armenia-azerbaijan.txt"
)


def test_sample_date_header_is_stripped_and_kept_as_published() -> None:
    document = read_document(SAMPLE)
    assert document.published == date(2024, 1, 14)
    assert document.body.startswith("We can single out several tripartite")
    assert "date 2024" not in document.body
    assert document.url is None
    # The first line is a paragraph, not a heading, so the title comes from the file name.
    assert document.title == "Us Mediation Armenia Azerbaijan"


def test_plain_text_heading_line_becomes_the_title() -> None:
    document = parse_text("Talks in Munich\nBlinken met both leaders. They talked.\n", title=None, fmt="text")
    assert document.title == "Talks in Munich"
    assert document.body == "Blinken met both leaders. They talked."
    assert document.published is None


def test_explicit_title_wins_and_line_endings_are_normalised() -> None:
    document = parse_text("\ufeff date 2023-05-01 First.\r\nSecond.\r\n", title="Given", fmt="text")
    assert document.title == "Given"
    assert document.published == date(2023, 5, 1)
    assert document.body == "First.\nSecond."


def test_markdown_is_stripped_to_prose(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "---\ntitle: Front Title\ndate: 2023-06-30\n---\n"
        "# Ignored Heading\n\n"
        "Blinken said **the deal** is _close_, see [the transcript](https://example.org/t) and `code`.\n\n"
        "## Background\n\n"
        "- first item\n"
        "- second item\n\n"
        "> A quoted line.\n\n"
        "```\nprint('not prose')\n```\n"
        "[ref]: https://example.org\n",
        encoding="utf-8",
    )
    document = read_document(path)
    assert document.title == "Front Title"
    assert document.published == date(2023, 6, 30)
    assert document.body == (
        "Ignored Heading\n\n"
        "Blinken said the deal is close, see the transcript and code.\n\n"
        "Background\n\nfirst item\n\nsecond item\n\nA quoted line."
    )


def test_markdown_leading_heading_is_the_title() -> None:
    document = parse_text("# The Title\n\nA snake_case_name stays. *One* more.", title=None, fmt="markdown")
    assert document.title == "The Title"
    assert document.body == "A snake_case_name stays. One more."


def test_html_main_text_without_chrome(tmp_path: Path) -> None:
    # An article long enough for trafilatura's main-text extraction: below about 250 characters of main
    # text it falls back to recovering all of the page's text, chrome included (a URL's capture too).
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Talks &amp; Treaties</title>"
        '<meta property="article:published_time" content="2024-01-14T09:00:00Z">'
        "<style>p {color: red}</style><script>var secret = 1;</script></head>"
        "<body><nav>Home | About</nav><header>Site header</header>"
        "<article><h1>Headline</h1><p>First paragraph with <b>bold</b>\n   words, long enough to be an"
        " article that a reader came for rather than the navigation around it.</p>"
        "<p>Second<br>line, and the negotiators met again in Munich on February 18 to discuss the treaty.</p>"
        "<ul><li>An item</li></ul></article>"
        "<aside>Related links</aside><footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    document = read_document(path)
    assert document.title == "Talks & Treaties"
    assert document.published == date(2024, 1, 14)
    # Read as a captured page is: the main text's lines, the leading heading line taken as the heading.
    assert document.body == (
        "First paragraph with bold words, long enough to be an article that a reader came for rather than"
        " the navigation around it.\n"
        "Second\nline, and the negotiators met again in Munich on February 18 to discuss the treaty.\n"
        "- An item"
    )


def test_html_without_article_uses_all_visible_blocks() -> None:
    document = parse_text(
        "<body><div>One block.</div><div>Two <i>block</i>.</div><script>hidden()</script></body>",
        title=None,
        fmt="html",
    )
    assert document.body == "One block.\nTwo block."
    assert document.title == ""


def test_html_declared_legacy_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "legacy.htm"
    path.write_bytes(b'<meta charset="windows-1252"><p>Caf\xe9 talks \x93quoted\x94.</p>')
    assert read_document(path).body == "Café talks “quoted”."


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.txt", b"valid start \xff\xfe broken", "not valid UTF-8 text (byte 0xff at offset 12)"),
        ("empty.txt", b"   \n\n  ", "the document has no text"),
        ("header-only.txt", b" date 2024-01-14 ", "the document has no text"),
        ("empty.html", b"<html><script>x()</script></html>", "the document has no text"),
        ("doc.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
        ("bad-date.txt", b"date 2024-13-45 Text.", "invalid date header '2024-13-45'"),
    ],
)
def test_bad_input_raises_a_one_line_error(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInputError) as raised:
        read_document(path)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no such file"):
        read_document(tmp_path / "missing.txt")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(InvalidInputError, match="is a directory"):
        read_document(folder)


def test_title_falls_back_to_the_prettified_file_name(tmp_path: Path) -> None:
    path = tmp_path / "2023-05-04_peace-talks_in_washington.txt"
    path.write_text("The talks ended on May 4. Nothing was signed.", encoding="utf-8")
    document = read_document(path)
    assert document.title == "Peace Talks in Washington"
    # No header in the text: the date in the file name is the best witness left.
    assert document.published == date(2023, 5, 4)
