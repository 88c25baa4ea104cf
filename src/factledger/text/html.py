"""HTML's visible text and title, with selectolax (lexbor): the page as a browser lays it out.

The visible text is what quote matching searches, so it follows what a reader sees: hidden elements,
scripts and styles give nothing, blocks and ``<br>`` break lines, inline elements join their text, table
cells are separated by a tab, and ``<pre>`` keeps its whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

_SKIP_TAGS: Final = frozenset({
    "script", "style", "noscript", "template", "head", "title", "iframe", "object", "embed", "datalist", "select",
})  # fmt: skip
_BLOCK_TAGS: Final = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu", "nav", "ol", "p", "plaintext",
    "pre", "section", "summary", "table", "tbody", "textarea", "tfoot", "thead", "tr", "ul", "xmp",
})  # fmt: skip
_PRE_TAGS: Final = frozenset({"pre", "listing", "plaintext", "textarea", "xmp"})
_CELL_TAGS: Final = frozenset({"td", "th"})
# Private-use markers that survive the whitespace collapsing and become layout at the end.
_BLOCK, _LINE, _PRE_SPACE, _PRE_TAB, _CELL = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
_MARKER_CHARS = re.compile("[\ue000-\ue004]")
_MARKERS: Final = (_BLOCK, _LINE, _PRE_SPACE, _PRE_TAB, _CELL)
_PRE_WHITESPACE: Final = {ord("\n"): _LINE, ord(" "): _PRE_SPACE, ord("\t"): _PRE_TAB, ord("\r"): None}
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_SPACE_RUNS: Final = re.compile("   *")  # two spaces or more (written so, the pair is a literal prefix)
# What the markers that survive into the lines are shown as; NBSP was kept through collapsing.
_SHOWN_AS: Final = ((_PRE_SPACE, " "), (_PRE_TAB, "\t"), (_CELL, "\t"), ("\xa0", " "))


def _tag_ids(table: LexborHTMLParser, names: frozenset[str]) -> frozenset[int]:
    return frozenset(table.create_node(name).tag_id for name in names)


def _special_ids() -> tuple[int, frozenset[int]]:
    """The tag ids of a text node, and of every node ``node.tag`` names with a leading "-" (text,
    document, comment, doctype)."""
    html_element = LexborHTMLParser("<!DOCTYPE html><!---->x").root
    document = html_element.parent if html_element is not None else None
    nodes = list(document.traverse(include_text=True)) if document is not None else []
    dashed = frozenset(node.tag_id for node in nodes if (node.tag or "").startswith("-"))
    text = {node.tag_id for node in nodes if node.tag == "-text"}
    if len(dashed) != 4 or len(text) != 1:  # a selectolax that changed its node kinds: fail loudly
        raise RuntimeError("lexbor's node kinds are not what the visible-text walk expects")
    return text.pop(), dashed


# The walk compares lexbor's tag ids, not tag names: ``node.tag`` builds a new str on every call, a tag
# id is an int. Every name here is one of lexbor's own tags, whose id is fixed (the ids of names it does
# not know are made per document and never collide with these), and an element has its name's id in
# every namespace, as it has its name (an SVG <title> is skipped as before). The document that makes
# them is dropped at once (kept, its memory arena would stay in every process that imports this).
_table = LexborHTMLParser("")
_SKIP_IDS: Final = _tag_ids(_table, _SKIP_TAGS)
_BLOCK_IDS: Final = _tag_ids(_table, _BLOCK_TAGS)
_PRE_IDS: Final = _tag_ids(_table, _PRE_TAGS)
_CLOSING_IDS: Final = _BLOCK_IDS | _tag_ids(_table, _CELL_TAGS)  # elements whose end adds a marker
_BR_ID: Final = _table.create_node("br").tag_id
del _table
_TEXT_ID, _NOT_ELEMENT_IDS = _special_ids()


def _visible_text(root: LexborNode) -> str:
    """The text a browser shows for ``root``: blocks and <br> break lines, inline elements add nothing.

    Walks the tree with parent/next pointers (no recursion, so deep hostile nesting is fine), asking
    each node for as little as it can: its tag id, and its first child, next sibling or parent once
    each. Text the markers could be confused with must be removed beforehand (``html_text`` strips them
    from the HTML).
    """
    out: list[str] = []
    append = out.append
    pre_depth = 0
    root_id = root.mem_id
    node = root.first_child
    while node is not None:
        tag = node.tag_id
        if tag == _TEXT_ID:
            text = node.text_content or ""
            append(text.translate(_PRE_WHITESPACE) if pre_depth else text)
        elif tag not in _NOT_ELEMENT_IDS and tag not in _SKIP_IDS:  # comments and doctypes give nothing
            if tag in _BLOCK_IDS:
                append(_BLOCK)
                if tag in _PRE_IDS:
                    pre_depth += 1
            elif tag == _BR_ID:
                append(_LINE)
            child = node.first_child
            if child is not None:
                node = child
                continue
            if tag in _CLOSING_IDS:
                append(_BLOCK if tag in _BLOCK_IDS else _CELL)
                if tag in _PRE_IDS:
                    pre_depth -= 1
        # Next sibling, closing every ancestor we climb out of on the way.
        following = node.next
        while following is None:
            node = node.parent
            if node is None or node.mem_id == root_id:
                return _layout("".join(out))
            tag = node.tag_id
            if tag in _CLOSING_IDS:
                append(_BLOCK if tag in _BLOCK_IDS else _CELL)
                if tag in _PRE_IDS:
                    pre_depth -= 1
            following = node.next
        node = following
    return _layout("".join(out))


def _collapse_whitespace(flow: str) -> str:
    """Runs of HTML whitespace (space, tab, LF, CR, FF; not NBSP) become one space, as a browser shows
    them; the ends lose theirs, which line stripping would remove anyway. Every step is a C-speed scan:
    the other blanks become spaces (str.replace), and only runs of two or more spaces are replaced
    (``_SPACE_RUNS`` starts with two literal spaces, so the regex engine looks for that pair with a
    plain scan). Splitting on every space and joining the words again took twice as long on a page."""
    for char in "\t\n\r\f":
        if char in flow:
            flow = flow.replace(char, " ")
    if "  " in flow:
        flow = _SPACE_RUNS.sub(" ", flow)
    return flow.strip(" ")


def _layout(flow: str) -> str:
    flow = _collapse_whitespace(flow)
    if _CELL in flow:  # no space on either side of a cell boundary
        flow = _CELL.join([part.strip(" ") for part in flow.split(_CELL)])
    # Each piece of text is one line's content, and the marker after it says how the line ends: a block
    # collapses empty lines, a <br> keeps them. So within a block every piece a <br> ends is a line, and
    # the block's last piece is one when it is not empty. (str.split finds the markers several times
    # faster than a regex split on the two of them.)
    lines: list[str] = []
    for block in flow.split(_BLOCK):
        if _LINE in block:
            *broken, block = block.split(_LINE)
            lines.extend([piece.strip(" ") for piece in broken])
        block = block.strip(" ")
        if block:
            lines.append(block)
    text = "\n".join(lines)
    for marker, shown in _SHOWN_AS:
        if marker in text:
            text = text.replace(marker, shown)
    return "\n".join([line.rstrip(" \t") for line in text.split("\n")]).strip("\n")


def _title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    if node is None:
        return None
    title = _WHITESPACE.sub(" ", node.text()).strip()
    return title or None


@dataclass(frozen=True, slots=True)
class HtmlText:
    visible: str | None  # the full visible text of the body
    title: str | None  # the <title>, whitespace collapsed


def html_text(html: str) -> HtmlText:
    """The visible text and the title of a decoded HTML document (a few ms for a 60 KB page)."""
    # A page almost never holds a marker character; looking for each one is a C-speed scan (instant when
    # the text is Latin-1, whose characters are all below them) where the regex substitution walks the
    # whole page through its engine.
    if any(marker in html for marker in _MARKERS):
        html = _MARKER_CHARS.sub("", html)
    tree = LexborHTMLParser(html)
    title = _title(tree)
    html_element = tree.root
    for hidden in tree.css("[hidden]"):
        if html_element is not None and hidden.mem_id == html_element.mem_id:
            # <html hidden>: a browser shows nothing of the page (and lexbor cannot remove its root).
            return HtmlText(None, title)
        hidden.decompose()
    root = tree.body or tree.root
    visible = _visible_text(root) if root is not None else ""
    return HtmlText(visible or None, title)
