"""Bytes to text: a response payload as stored (Content-Encoding still applied) and its headers in, the
named texts out.

- ``full_text``: everything a reader sees (HTML's visible text, a PDF's text, plain text), for quote
  matching.
- ``main_text``: the article without the page's chrome (trafilatura), for ingest; PDFs and plain text are
  all main text.
- ``title``: HTML's ``<title>`` or a PDF's title.
- ``published``: the date an HTML page says it was published (htmldate).

Main text and date cost far more than the rest, so they are computed only when asked for
(``main_text=True``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from factledger.text.article import article_parts
from factledger.text.charset import decode_body
from factledger.text.encoding import (
    ContentDecodingError,
    DecodedTooLargeError,
    MiB,
    decode_content_encoding,
)
from factledger.text.limits import CpuBudget, ExtractLimitError, ExtractLimits, check_markup
from factledger.text.pdf import pdf_text

Kind = Literal["html", "pdf", "text", "other"]
# Why a page that should have text has none: over a bound (limits.py), or content that cannot be read.
ExtractErrorKind = Literal["extract_limit", "extract_error"]
DEFAULT_MAX_DECODED_BYTES: Final = 20 * MiB
DEFAULT_LIMITS: Final = ExtractLimits()


@dataclass(frozen=True, slots=True)
class ExtractedText:
    full_text: str | None
    main_text: str | None
    title: str | None
    charset: str | None  # the WHATWG name of the encoding used, for text kinds
    kind: Kind
    error: str | None = None  # why there is no text although the kind should have some
    published: date | None = None
    error_kind: ExtractErrorKind | None = None  # set with ``error``

    @property
    def problem(self) -> str | None:
        """``error`` with its kind, as recorded on a capture: "extract_limit: nesting depth > 1024"."""
        return f"{self.error_kind}: {self.error}" if self.error_kind and self.error else None


def _header_values(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name]


def _parse_content_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    essence, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, raw = param.partition("=")
        if key.strip().lower() == "charset":
            charset = raw.strip().strip("\"'") or None
    return essence.strip().lower(), charset


_HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
_PDF_TYPES: Final = frozenset({"application/pdf", "application/x-pdf"})
_SNIFF_TYPES: Final = frozenset({"", "application/octet-stream", "binary/octet-stream", "unknown/unknown"})
_HTML_SNIFF = re.compile(
    rb"[\t\n\f\r ]*<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)"
    rb"[ >\t\n\f\r]",
    re.IGNORECASE,
)


def _kind(mime: str, body: bytes | None) -> Kind | None:
    """The kind a content type declares, or (body given) sniffed for a missing/generic type."""
    if mime in _HTML_TYPES:
        return "html"
    if mime in _PDF_TYPES:
        return "pdf"
    if mime == "text/plain":
        return "text"
    if mime not in _SNIFF_TYPES:
        return "other"
    if body is None:
        return None
    if body.startswith(b"%PDF-"):
        return "pdf"
    if _HTML_SNIFF.match(body[:1024]):
        return "html"
    return "other"


def _plain(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return text.strip("\n")


def extract_text(
    payload: bytes,
    headers: list[tuple[str, str]],
    *,
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES,
    url: str | None = None,
    main_text: bool = True,
    limits: ExtractLimits = DEFAULT_LIMITS,
) -> ExtractedText:
    """The texts of a response payload stored as received (Content-Encoding still applied).

    ``main_text=False`` skips the main text and the published date, which cost far more than everything
    else here (tens of ms for a 60 KB page, against a few ms for the full text); ``url`` only helps
    trafilatura. A page over ``limits`` (or ``max_decoded_bytes`` once decoded: a compression bomb) gives
    no text and ``error_kind`` "extract_limit"; content that cannot be read gives "extract_error".
    """
    content_types = _header_values(headers, "content-type")
    mime, header_charset = _parse_content_type(content_types[0] if content_types else None)
    declared = _kind(mime, None)
    if declared == "other":
        return ExtractedText(None, None, None, None, "other")
    budget = CpuBudget(limits.cpu_seconds)
    try:
        content_encoding = ", ".join(_header_values(headers, "content-encoding"))
        body = decode_content_encoding(payload, content_encoding, max_decoded_bytes)
    except DecodedTooLargeError as exc:
        return _failed(declared or "other", "extract_limit", str(exc))
    except ContentDecodingError as exc:
        return _failed(declared or "other", "extract_error", str(exc))
    kind = declared or _kind(mime, body) or "other"
    try:
        return _extract(kind, body, header_charset, url, main_text, limits, budget)
    except ExtractLimitError as exc:
        return _failed(kind, "extract_limit", str(exc))


def _failed(kind: Kind, error_kind: ExtractErrorKind, error: str) -> ExtractedText:
    return ExtractedText(None, None, None, None, kind, error=error, error_kind=error_kind)


def _extract(
    kind: Kind,
    body: bytes,
    header_charset: str | None,
    url: str | None,
    main_text: bool,
    limits: ExtractLimits,
    budget: CpuBudget,
) -> ExtractedText:
    if kind == "pdf":
        pdf = pdf_text(body, max_pages=limits.max_pdf_pages, budget=budget)
        if pdf.error:
            return _failed("pdf", "extract_error", pdf.error)
        return ExtractedText(pdf.text, pdf.text, pdf.title, None, "pdf")
    if kind == "text":
        text, charset = decode_body(body, header_charset, html=False)
        plain = _plain(text)
        return ExtractedText(plain or None, plain or None, None, charset, "text")
    if kind != "html":
        return ExtractedText(None, None, None, None, "other")
    html, charset = decode_body(body, header_charset, html=True)
    check_markup(html, limits)
    budget.check()
    # Imported here: selectolax costs 4 MB in the archiver's own process, which imports this module
    # for its worker processes' sake and never parses a page itself.
    from factledger.text.html import html_text

    page = html_text(html)
    if not main_text:
        return ExtractedText(page.visible, None, page.title, charset, "html")
    budget.check()
    article = article_parts(html, url=url)
    return ExtractedText(
        page.visible, article.main_text, page.title, charset, "html", published=article.published
    )


@dataclass(frozen=True, slots=True)
class ReadableText:
    """What ingest reads from a page: its main text (its full text when it has none), title and date.

    ``main`` says whether ``text`` is the page's main text; False when it is the full text in lieu of one
    (``sources snapshot --show main`` says so rather than pass the full text off as the main text)."""

    kind: Kind
    text: str | None
    title: str | None
    published: date | None
    main: bool = True


def readable_text(extracted: ExtractedText) -> ReadableText:
    main = bool(extracted.main_text)
    text = extracted.main_text if main else extracted.full_text
    return ReadableText(extracted.kind, text, extracted.title, extracted.published, main)
