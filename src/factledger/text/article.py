"""An HTML page's main text (trafilatura) and published date (htmldate), from one lxml parse.

Both need lxml's tree and cost far more than the visible text: trafilatura takes tens of ms for a 60 KB
page, and the parse alone a few ms, against about 5 ms of CPU for the whole capture of a page. So the
archiver never runs this; see ``factledger.text`` for when it runs and where its results are kept.

Neither library is ever handed a string: htmldate's loader downloads a string that looks like a URL, and
a page's body is untrusted. Each gets the tree parsed here (trafilatura copies it before cleaning it;
htmldate copies it before pruning it).

The libraries are imported on first use: the archiver's worker processes import this package and never
call them, and trafilatura with its dependencies takes a large share of a worker's start-up and memory.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

log = logging.getLogger(__name__)

# lxml.html.HtmlElement: lxml ships no type stubs, and the tree only passes from one library to another.
_HtmlTree = Any
# htmldate's answer format, which date.fromisoformat reads.
_ISO_DAY = "%Y-%m-%d"


@dataclass(frozen=True, slots=True)
class ArticleParts:
    main_text: str | None
    published: date | None


def article_parts(html: str, *, url: str | None = None) -> ArticleParts:
    """The main text and published date of a decoded HTML document; None for what is not found.

    Failures are logged and read as "not found": a page trafilatura or htmldate chokes on must never break
    the caller. ``url`` only helps trafilatura; the date comes from the page's bytes alone, so a saved
    copy of a page and the page fetched by URL give the same date.
    """
    from trafilatura.utils import load_html

    try:
        tree = load_html(html)
    except Exception:
        log.warning("lxml could not parse %s", url or "a document", exc_info=True)
        return ArticleParts(None, None)
    if tree is None:  # not HTML at all, as lxml sees it
        return ArticleParts(None, None)
    return ArticleParts(_main_text(tree, url), _published(tree, url))


def _main_text(tree: _HtmlTree, url: str | None) -> str | None:
    import trafilatura

    try:
        text = trafilatura.extract(
            tree,
            url=url,
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            output_format="txt",
            with_metadata=False,
        )
    except Exception:
        log.warning("trafilatura failed on %s", url or "a document", exc_info=True)
        return None
    return text if isinstance(text, str) and text.strip() else None


def _published(tree: _HtmlTree, url: str | None) -> date | None:
    """The date the page says it was first published (meta tags, JSON-LD, <time>, ...), not modified.

    ``extensive_search=False`` keeps to the page's declared dates: the free-text search finds any date
    the article mentions, which would anchor its relative dates ("last year") to the wrong day.
    """
    import htmldate

    try:
        found = htmldate.find_date(tree, extensive_search=False, original_date=True, outputformat=_ISO_DAY)
    except Exception:
        log.warning("htmldate failed on %s", url or "a document", exc_info=True)
        return None
    if not found:
        return None
    try:
        return date.fromisoformat(found)
    except ValueError:
        return None
