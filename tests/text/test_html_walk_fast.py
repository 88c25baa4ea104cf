"""The walk over lexbor's tree by tag id gives exactly what the walk by tag name gave.

``_visible_text`` used to ask every node for its tag name (a new str each time) and every element for
its next sibling twice; it now compares lexbor's integer tag ids and asks for each pointer once. The old
walk is kept here, word for word, as the oracle: on the fixture pages, the archive benchmark's pages,
hand-made edge cases (foreign content, custom elements, nesting, pre, tables, comments) and HTML that
Hypothesis puts together, both give the same visible text.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser, LexborNode

from factledger.text import html

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def old_visible_text(root: LexborNode) -> str:
    """``_visible_text`` before the tag ids (the tag-name sets and ``_layout`` are unchanged)."""
    out: list[str] = []
    pre_depth = 0
    root_id = root.mem_id
    node = root.child
    while node is not None:
        tag = node.tag or ""
        if tag == "-text":
            text = node.text_content or ""
            if pre_depth:
                out.append(text.translate(html._PRE_WHITESPACE))
            else:
                out.append(text)
        elif tag[:1] != "-" and tag not in html._SKIP_TAGS:
            if tag in html._BLOCK_TAGS:
                out.append(html._BLOCK)
                if tag in html._PRE_TAGS:
                    pre_depth += 1
            elif tag == "br":
                out.append(html._LINE)
            child = node.child
            if child is not None:
                node = child
                continue
            _old_close(tag, out)
            if tag in html._PRE_TAGS:
                pre_depth -= 1
        while node is not None and node.next is None:
            node = node.parent
            if node is None or node.mem_id == root_id:
                node = None
                break
            parent_tag = node.tag or ""
            _old_close(parent_tag, out)
            if parent_tag in html._PRE_TAGS:
                pre_depth -= 1
        if node is not None:
            node = node.next
    return html._layout("".join(out))


def _old_close(tag: str, out: list[str]) -> None:
    if tag in html._BLOCK_TAGS:
        out.append(html._BLOCK)
    elif tag in html._CELL_TAGS:
        out.append(html._CELL)


def assert_same(page: str) -> None:
    """Both walks over the same tree, prepared as ``html_text`` prepares it."""
    cleaned = html._MARKER_CHARS.sub("", page)
    new_tree, old_tree = LexborHTMLParser(cleaned), LexborHTMLParser(cleaned)
    for tree in (new_tree, old_tree):
        for hidden in tree.css("[hidden]"):
            hidden.decompose()
    new_root, old_root = new_tree.body or new_tree.root, old_tree.body or old_tree.root
    assert new_root is not None
    assert old_root is not None
    assert html._visible_text(new_root) == old_visible_text(old_root)
    # And from the html element, which the walk starts at when a page has no body.
    assert new_tree.root is not None
    assert old_tree.root is not None
    assert html._visible_text(new_tree.root) == old_visible_text(old_tree.root)


CASES = [
    "",
    "plain text, no tags",
    "<p>one</p><p>two<br>three<br><br>four</p>",
    "<div>a<span>b</span><div>c<p>d</p></div>e</div>",
    "<table><tr><td>a</td><td> b </td><th>c</th></tr><tr><td></td><td>d<td>e</table>after",
    "<pre>  keep\n\tthe  spaces\r\n</pre><pre><b>in  <i>line</i></b>\n<pre>nested  pre</pre> x</pre>",
    "<textarea> a  b\n c</textarea><xmp> <b> raw </b> </xmp><listing> l  l </listing>",
    "<p>x<script>var a = '<p>no</p>';</script><style>p{}</style><noscript>ns</noscript>y</p>",
    "<template><p>inside template</p></template><select><option>o</option></select><datalist>d</datalist>",
    "<iframe>if</iframe><object>ob<p>inner</p></object><embed>em",
    "<svg><title>svg title</title><text>svg text</text><foreignObject><p>fo</p></foreignObject></svg>",
    "<math><mi>x</mi><mtext>t<p>p in math</p></mtext></math><svg><![CDATA[cdata  text]]></svg>",
    "<my-element>custom <other-tag>nested</other-tag></my-element><x-p>xp</x-p><P>UPPER</P><DIV>Div</DIV>",
    "<p>a<!-- comment --><!DOCTYPE html>b<?pi stuff?>c</p>",
    "<ul><li>one<li>two<ol><li>three</ol></ul><dl><dt>t<dd>d</dl>",
    "<p hidden>gone</p><div><span hidden>gone too</span>kept</div>",
    "<p>\xa0nbsp\xa0 \xa0<b>bold</b>\u3000ideographic</p>",
    "<h1>Title</h1><article><header>h</header><section><p>s</p></section><footer>f</footer></article>",
    "<div><div><div><div>deep</div></div></div></div>tail<br>",
    "<plaintext><p>everything  after\nis text",
    "<frameset><frame></frameset>",
    "<html><head><title>t</title></head><body>b</body></html><p>after html</p>",
    "<br><br>lead<br>",
    "<td>cell outside a table</td><th>x</th>y",
]


@pytest.mark.parametrize("page", CASES)
def test_same_as_before_on_the_cases(page: str) -> None:
    assert_same(page)


def test_same_as_before_on_real_pages() -> None:
    pages = [
        path.read_bytes().decode("utf-8", "replace")
        for path in sorted((ROOT / "tests" / "fixtures" / "quotes" / "pages").glob("*.html"))
    ]
    assert len(pages) > 20, "the fixture pages are missing"
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    try:
        from archive_origin import PageWriter
    finally:
        sys.path.remove(str(ROOT / "tests" / "bench"))
    writer = PageWriter(16)
    pages += [writer.page(index).decode() for index in range(20)]
    for page in pages:
        assert_same(page)


TAGS = sorted(
    html._SKIP_TAGS
    | html._BLOCK_TAGS
    | html._CELL_TAGS
    | {"br", "span", "b", "a", "svg", "math", "title", "tr", "option", "my-tag", "font", "img", "wbr"}
)
PIECES = st.one_of(
    st.sampled_from(TAGS).map(lambda tag: f"<{tag}>"),
    st.sampled_from(TAGS).map(lambda tag: f"</{tag}>"),
    # Not <html hidden>: html_text shows nothing of such a page before any walk (test_extract.py).
    st.sampled_from([tag for tag in TAGS if tag != "html"]).map(lambda tag: f"<{tag} hidden>"),
    st.sampled_from(
        ["text", " ", "  ", "\n", "\t", "\xa0", "é", "<!--c-->", "&amp;", "<![CDATA[x]]>", "<br/>"]
    ),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=40).map("".join))
def test_same_as_before_on_any_tag_soup(page: str) -> None:
    assert_same(page)
