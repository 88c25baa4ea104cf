"""Markup to plain text: the body we segment must be prose, not syntax.

Both converters separate blocks (paragraphs, headings, list items) with a blank line, because the sentence
splitter treats a blank line as a hard boundary: a heading must never merge into the sentence after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

# --- Markdown -------------------------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_BLOCKQUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_FRONT_MATTER_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")

# Inline rules run in order: images before links (an image is a link with a bang), code before emphasis (a
# star inside `code` is literal).
_INLINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"!\[([^\]]*)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    # Single `_` only at word edges, so snake_case identifiers survive.
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), r"\1"),
)


@dataclass
class MarkdownText:
    body: str
    title: str | None
    front_matter: dict[str, str]


def _strip_inline(line: str) -> str:
    for pattern, replacement in _INLINE_RULES:
        line = pattern.sub(replacement, line)
    return line


def _split_front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Read a leading YAML block of simple `key: value` lines (title, date); nested YAML is ignored."""
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for index in range(1, len(lines)):
        if lines[index].strip() in {"---", "..."}:
            meta: dict[str, str] = {}
            for line in lines[1:index]:
                match = _FRONT_MATTER_LINE.match(line)
                if match:
                    meta[match["key"].lower()] = match["value"].strip("'\"")
            return meta, lines[index + 1 :]
    return {}, lines


def markdown_to_text(raw: str) -> MarkdownText:
    """Strip Markdown to prose. A leading level-1 heading becomes the title and leaves the body."""
    front_matter, lines = _split_front_matter(raw.split("\n"))
    blocks: list[str] = []
    paragraph: list[str] = []
    title: str | None = front_matter.get("title") or None
    in_fence = False

    def flush() -> None:
        text = "\n".join(paragraph).strip()
        if text:
            blocks.append(text)
        paragraph.clear()

    for line in lines:
        if _FENCE.match(line):
            # Code is not prose: fenced blocks are dropped whole.
            in_fence = not in_fence
            flush()
            continue
        if in_fence or _REFERENCE_DEFINITION.match(line):
            continue
        if not line.strip() or _RULE.match(line):
            flush()
            continue
        if paragraph and _SETEXT_UNDERLINE.match(line):
            heading = _strip_inline(" ".join(p.strip() for p in paragraph))
            paragraph.clear()
            if title is None and line.strip().startswith("=") and not blocks:
                title = heading
            else:
                blocks.append(heading)
            continue
        heading_match = _ATX_HEADING.match(line)
        if heading_match:
            flush()
            heading = _strip_inline(heading_match["text"])
            if title is None and not blocks and line.lstrip().startswith("# "):
                title = heading
            elif heading:
                blocks.append(heading)
            continue
        content = _BLOCKQUOTE.sub("", line)
        if _LIST_MARKER.match(content):
            # Each list item is its own block: items are rarely full sentences and must not merge.
            flush()
            content = _LIST_MARKER.sub("", content)
        paragraph.append(_strip_inline(content).strip())
    flush()
    return MarkdownText(body="\n\n".join(blocks), title=title, front_matter=front_matter)


# --- HTML -----------------------------------------------------------------------------------------------

# Content inside these is chrome or code, never article text.
_SKIPPED_TAGS = frozenset(
    {
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "noscript",
        "template",
        "svg",
        "aside",
        "form",
        "iframe",
        "button",
        "select",
        "object",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "figcaption",
        "figure",
        "address",
        "hr",
        "body",
        "caption",
        "details",
        "summary",
    }
)
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "area", "base", "col", "source"})
_MAIN_TAGS = frozenset({"article", "main"})
_PUBLISHED_META = frozenset(
    {
        "article:published_time",
        "datepublished",
        "date",
        "dc.date",
        "dc.date.issued",
        "pubdate",
        "publish-date",
        "og:published_time",
    }
)
_ISO_DATE_PREFIX = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_HTML_WHITESPACE = re.compile(r"[ \t\n\r\f]+")


def iso_date_prefix(value: str) -> date | None:
    match = _ISO_DATE_PREFIX.match(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


@dataclass
class _Block:
    parts: list[str] = field(default_factory=list)
    in_main: bool = False
    preformatted: bool = False


class _VisibleTextParser(HTMLParser):
    """Collects visible text per block element, remembering which blocks sit inside <article>/<main>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = [_Block()]
        self.title_parts: list[str] = []
        self.first_h1: list[str] = []
        self.published: date | None = None
        self._skip_depth = 0
        self._main_depth = 0
        self._pre_depth = 0
        self._in_title = False
        self._h1_depth = 0
        self._h1_seen = False

    def _new_block(self) -> None:
        if self.blocks[-1].parts:
            self.blocks.append(_Block())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
            return
        if tag == "meta":
            self._read_meta(dict(attrs))
        elif tag == "time" and self.published is None:
            self.published = iso_date_prefix(dict(attrs).get("datetime") or "")
        if tag in _VOID_TAGS:
            if tag == "br" and not self._skip_depth:
                self.blocks[-1].parts.append("\n")
            elif tag == "hr":
                self._new_block()
            return
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        if tag in _BLOCK_TAGS:
            self._new_block()
        if tag in _MAIN_TAGS:
            self._main_depth += 1
        if tag == "pre":
            self._pre_depth += 1
        if tag == "h1":
            self._h1_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            return
        if tag in _VOID_TAGS:
            return
        if tag in _SKIPPED_TAGS and self._skip_depth:
            self._skip_depth -= 1
        if tag in _BLOCK_TAGS:
            self._new_block()
        if tag in _MAIN_TAGS and self._main_depth:
            self._main_depth -= 1
        if tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
        if tag == "h1" and self._h1_depth:
            self._h1_depth -= 1
            self._h1_seen = True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._skip_depth:
            return
        if self._h1_depth and not self._h1_seen:
            self.first_h1.append(data)
        block = self.blocks[-1]
        if not block.parts:
            block.in_main = self._main_depth > 0
            block.preformatted = self._pre_depth > 0
        # Source line breaks are just whitespace in HTML; only <br> (added as "\n") breaks a line.
        block.parts.append(data if self._pre_depth else _HTML_WHITESPACE.sub(" ", data))

    def _read_meta(self, attrs: dict[str, str | None]) -> None:
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key in _PUBLISHED_META and self.published is None:
            self.published = iso_date_prefix(attrs.get("content") or "")


@dataclass
class HtmlText:
    body: str
    title: str | None
    published: date | None


def _block_text(block: _Block) -> str:
    text = "".join(block.parts)
    if block.preformatted:
        return text.strip("\n")
    # HTML collapses whitespace runs; <br> survives as a single newline inside the paragraph.
    lines = [_HTML_WHITESPACE.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def html_to_text(raw: str) -> HtmlText:
    """Visible block text of an HTML page; when it has <article>/<main>, only the text inside them."""
    parser = _VisibleTextParser()
    parser.feed(raw)
    parser.close()
    blocks = [(block, _block_text(block)) for block in parser.blocks]
    blocks = [(block, text) for block, text in blocks if text.strip()]
    main = [text for block, text in blocks if block.in_main]
    texts = main if main else [text for _, text in blocks]
    title = _HTML_WHITESPACE.sub(" ", "".join(parser.title_parts)).strip()
    if not title:
        title = _HTML_WHITESPACE.sub(" ", "".join(parser.first_h1)).strip()
    return HtmlText(body="\n\n".join(texts), title=title or None, published=parser.published)
