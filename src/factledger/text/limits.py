"""Bounds on the work of extracting one page's text, so a hostile page costs a bounded time.

HTML parsing is quadratic in nesting depth (each start tag searches the stack of open elements): 80,000
nested ``<div>``s take seconds, and a 20 MiB page can nest far deeper. ``check_markup`` is a linear
pre-scan of the markup that refuses such a page before the parser sees it. The CPU budget is checked
between the stages of an extraction (and between a PDF's pages); in the archiver, the worker processes
also enforce it as a hard timeout (archive/prepare_pool.py), since one C call cannot be interrupted.

A page over a bound is not an error of the run: its text is recorded as missing with the reason
(``extract_limit: nesting depth > 1024``) and the run goes on.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Final

# Blink stops nesting at 512 levels (deeper elements become siblings), so no page a browser shows
# meaningfully nests deeper; twice that leaves room for the pre-scan's over-estimate (unclosed tags).
MAX_DEPTH: Final = 1024
MAX_ELEMENTS: Final = 1_000_000
MAX_PDF_PAGES: Final = 5_000
CPU_SECONDS: Final = 20.0
# Below this many "<", even the deepest nesting parses in well under a second, so the pre-scan (which
# costs about as much as the parse itself) is skipped: ordinary pages (a few thousand tags) pay nothing.
SCAN_FROM_TAGS: Final = 20_000


class ExtractLimitError(Exception):
    """A page over one of the bounds; the message names the bound (``nesting depth > 1024``)."""


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    max_depth: int = MAX_DEPTH
    max_elements: int = MAX_ELEMENTS
    max_pdf_pages: int = MAX_PDF_PAGES
    cpu_seconds: float = CPU_SECONDS
    scan_from_tags: int = SCAN_FROM_TAGS  # lower it to test the scan on small pages


class CpuBudget:
    """The process CPU time one extraction may use, checked between its stages."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.process_time() + seconds

    def check(self) -> None:
        if time.process_time() > self.deadline:
            raise ExtractLimitError(f"more than {self.seconds:g} s of CPU")


# Elements with no end tag, and those whose start closes an open one of their kind (<p>, <li>, <td>…):
# neither deepens the stack of open elements however many there are.
_NOT_NESTING: Final = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "param", "keygen", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody",
    "tfoot", "rb", "rt", "rp", "rtc", "colgroup", "caption", "html", "head", "body",
})  # fmt: skip
# Comments, and elements whose content is text, not markup (a "<div>" inside a script is no element).
_TOKEN: Final = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript)\b[^>]*>.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([A-Za-z][^\s/>]*)[^>]*?(/?)>",
    re.DOTALL | re.IGNORECASE,
)


def check_markup(html: str, limits: ExtractLimits) -> None:
    """Raise ExtractLimitError when the markup nests deeper or holds more elements than ``limits``.

    Linear in the page's length, and skipped for a page with fewer than ``SCAN_FROM_TAGS`` ``<``:
    however such a page nests, it parses in well under a second. The depth is an estimate from start
    and end tags (as deep as the parser's stack of open elements or deeper, never shallower).
    """
    if html.count("<") < limits.scan_from_tags:
        return
    depth = 0
    elements = 0
    foreign_from = 0  # inside <svg> or <math> (depth > 0 here), "/>" really closes an element
    for match in _TOKEN.finditer(html):
        raw_text, closing, name, self_closing = match.groups()
        if raw_text is not None:
            elements += 1
            continue
        if name is None:
            continue  # a comment
        if closing:
            depth = max(depth - 1, 0)
            if depth < foreign_from:
                foreign_from = 0
            continue
        elements += 1
        if elements > limits.max_elements:
            raise ExtractLimitError(f"more than {limits.max_elements} elements")
        tag = name.lower()
        # In HTML a "/>" on <div/> is ignored (it opens a div); only foreign content honours it.
        if tag in _NOT_NESTING or (self_closing and foreign_from):
            continue
        depth += 1
        if not foreign_from and tag in ("svg", "math"):
            foreign_from = depth
        if depth > limits.max_depth:
            raise ExtractLimitError(f"nesting depth > {limits.max_depth}")
