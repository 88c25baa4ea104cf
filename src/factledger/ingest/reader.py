"""Read a document from disk or from text into a SourceDocument whose body is the prose we segment.

Claim spans are offsets into ``SourceDocument.body``, so the body is fixed here once: markup removed, line
endings normalised to ``\\n``, surrounding whitespace trimmed. Everything downstream indexes that string.

An HTML file is read exactly as a page fetched by URL is (``read_page``): the same charset rules, the
same main text and date from ``factledger.text``, so both give the same document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

from factledger.ingest.page_title import headline_of_page_title
from factledger.ledger.errors import InvalidInputError
from factledger.text import ReadableText, extract_text, readable_text
from factledger.text.charset import NotUtf8Error, decode_utf8
from factledger.text.markdown import iso_date_prefix, markdown_to_text

DocumentFormat = Literal["text", "markdown", "html"]

_FORMAT_BY_SUFFIX: dict[str, DocumentFormat] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}

_HTML_MEDIA_TYPE = "text/html"
# The bundled articles open with "date YYYY-MM-DD" on the same line as the first sentence.
_DATE_HEADER = re.compile(r"\A\s*date[ \t]+(\d{4}-\d{2}-\d{2})\b[ \t]*:?\s*", re.IGNORECASE)
_FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_ ]*")
# A first line that looks like a heading rather than a sentence: short, no closing punctuation.
_HEADING_MAX_CHARS = 120
_SENTENCE_END = '.!?:;…"”’)'
_SMALL_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "vs"})


@dataclass(frozen=True, slots=True)
class SourceDocument:
    title: str
    body: str
    published: date | None
    url: str | None = None
    # False when the title is made from the file's name: a label for the list, not a headline to check.
    title_is_headline: bool = True


def check_size(size: int, max_bytes: int | None, source_name: str) -> None:
    """Refuse a document over the ingest size limit before any work is done on it."""
    if max_bytes is not None and size > max_bytes:
        raise InvalidInputError(
            f"{source_name}: {_megabytes(size)} is over the ingest size limit of {_megabytes(max_bytes)} "
            "(set ingest_max_bytes in factledger.toml to raise it)"
        )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size} bytes"


def read_document(path: Path, *, max_bytes: int | None = None) -> SourceDocument:
    """Read a .txt, .md or .html file of at most ``max_bytes``. Raises InvalidInputError for anything
    we cannot turn into prose."""
    fmt = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(_FORMAT_BY_SUFFIX))
        raise InvalidInputError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; expected {known}"
        )
    try:
        check_size(path.stat().st_size, max_bytes, str(path))
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path}: is a directory, not a document") from None
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot read ({error.strerror or error})") from None
    stem_date, stem_title = _parse_stem(path.stem)
    if fmt == "html":
        # No declared charset: a byte-order mark, a <meta> or detection decides, as for a page served
        # without one.
        page = extract_text(raw_bytes, [("Content-Type", _HTML_MEDIA_TYPE)], main_text=True)
        document = read_page(readable_text(page), url=None, source_name=str(path))
    else:
        document = parse_text(_decode_utf8(raw_bytes, path), title=None, fmt=fmt, source_name=str(path))
    # The filename is a weaker witness than the document itself, so it only fills gaps.
    title = document.title if document.title else stem_title
    published = document.published if document.published else stem_date
    return SourceDocument(
        title=title,
        body=document.body,
        published=published,
        url=None,
        title_is_headline=bool(document.title),
    )


def parse_text(
    raw: str,
    *,
    title: str | None,
    fmt: DocumentFormat,
    url: str | None = None,
    source_name: str = "document",
) -> SourceDocument:
    """Turn raw text in the given format into a SourceDocument.

    ``title`` overrides any title found in the text. When neither exists the title is ``""`` and
    ``read_document`` substitutes the prettified filename.
    """
    if fmt == "html":
        page = extract_text(raw.encode("utf-8"), [("Content-Type", f"{_HTML_MEDIA_TYPE}; charset=utf-8")])
        document = read_page(readable_text(page), url=url, source_name=source_name)
        return replace(document, title=title) if title else document
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    found_title: str | None = None
    published: date | None = None
    if fmt == "markdown":
        markdown = markdown_to_text(text)
        body, found_title = markdown.body, markdown.title
        published = iso_date_prefix(markdown.front_matter.get("date", ""))
    elif fmt == "text":
        body = text
    else:  # pragma: no cover - guarded by the Literal type, kept for untyped callers
        raise InvalidInputError(f"{source_name}: unknown format {fmt!r}")

    header_date, body = _strip_date_header(body, source_name)
    published = header_date or published
    if fmt == "text":
        found_title, body = _take_heading_line(body)
    body = body.strip()
    if not body:
        raise InvalidInputError(f"{source_name}: the document has no text")
    return SourceDocument(title=title or found_title or "", body=body, published=published, url=url)


def read_page(readable: ReadableText, *, url: str | None, source_name: str) -> SourceDocument:
    """A document from what ``factledger.text`` reads in a page (an HTML file, a captured URL).

    Its text is read as plain text (a short unpunctuated first line is the heading), its title and date
    are the page's unless the text itself states a date header. The title loses the site's name that
    pages add to their ``<title>`` ("Headline | Site"), when ``url`` says which site it is.
    """
    if not readable.text or not readable.text.strip():
        raise InvalidInputError(f"{source_name}: the document has no text")
    title = headline_of_page_title(readable.title, url) if readable.title else readable.title
    document = parse_text(readable.text, title=title, fmt="text", url=url, source_name=source_name)
    if document.published is None and readable.published is not None:
        document = replace(document, published=readable.published)
    return document


def _decode_utf8(raw_bytes: bytes, path: Path) -> str:
    try:
        return decode_utf8(raw_bytes)
    except NotUtf8Error as error:
        raise InvalidInputError(
            f"{path}: not valid UTF-8 text (byte 0x{error.byte:02x} at offset {error.offset})"
        ) from None


def _strip_date_header(body: str, source_name: str) -> tuple[date | None, str]:
    match = _DATE_HEADER.match(body)
    if not match:
        return None, body
    try:
        published = date.fromisoformat(match.group(1))
    except ValueError:
        raise InvalidInputError(f"{source_name}: invalid date header {match.group(1)!r}") from None
    return published, body[match.end() :]


def _take_heading_line(body: str) -> tuple[str | None, str]:
    """Use a short unpunctuated first line as the title; a first line that is prose stays in the body."""
    stripped = body.lstrip()
    first_line, newline, rest = stripped.partition("\n")
    first_line = first_line.strip()
    if (
        newline
        and rest.strip()
        and first_line
        and len(first_line) <= _HEADING_MAX_CHARS
        and not first_line.endswith(tuple(_SENTENCE_END))
    ):
        return first_line, rest
    return None, body


def _parse_stem(stem: str) -> tuple[date | None, str]:
    """``2024-01-14-us-mediation`` → (2024-01-14, "Us Mediation"): a readable title of last resort."""
    stem_date: date | None = None
    rest = stem
    match = _FILENAME_DATE.match(stem)
    if match:
        stem_date = iso_date_prefix(match.group(1))
        if stem_date is not None:
            rest = stem[match.end() :]
    words = [word for word in re.split(r"[-_\s]+", rest) if word]
    pretty = [
        word if (index and word in _SMALL_WORDS) or not word.islower() else word.capitalize()
        for index, word in enumerate(words)
    ]
    return stem_date, " ".join(pretty) or stem
