"""The faster layout of HTML's visible text gives exactly what the one it replaced gave.

``_layout`` turns the walk's flow (text with private-use markers for blocks, <br>, cells and <pre>
whitespace) into lines. Whitespace runs used to be collapsed by splitting on every space and joining the
words, and lines split off with a regex on the two line markers; both are now plain str scans. The old
function is kept here as the oracle: on flows Hypothesis draws and on the flows of real pages (the fixture
pages and the archive benchmark's), both give the same text.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factledger.text import html

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
_OLD_BREAKS = re.compile(r"([\ue000\ue001])")


def old_collapse_whitespace(flow: str) -> str:
    for char in "\t\n\r\f":
        if char in flow:
            flow = flow.replace(char, " ")
    return " ".join([word for word in flow.split(" ") if word])


def old_layout(flow: str) -> str:
    """``_layout`` before the str scans (the marker constants are unchanged)."""
    flow = old_collapse_whitespace(flow)
    if html._CELL in flow:
        flow = html._CELL.join([part.strip(" ") for part in flow.split(html._CELL)])
    parts = _OLD_BREAKS.split(flow)
    lines: list[str] = []
    for piece, marker in zip(parts[0::2], parts[1::2], strict=False):
        piece = piece.strip(" ")
        if piece or marker == html._LINE:
            lines.append(piece)
    last = parts[-1].strip(" ")
    if last:
        lines.append(last)
    text = "\n".join(lines)
    for marker, shown in html._SHOWN_AS:
        if marker in text:
            text = text.replace(marker, shown)
    return "\n".join([line.rstrip(" \t") for line in text.split("\n")]).strip("\n")


FLOW_ALPHABET = [
    "a",
    "Word",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "\f",
    "\xa0",
    "\u3000",
    "é",
    html._BLOCK,
    html._LINE,
    html._CELL,
    html._PRE_SPACE,
    html._PRE_TAB,
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FLOW_ALPHABET), max_size=60).map("".join))
@example("")
@example(f" {html._LINE}{html._LINE} a {html._BLOCK}{html._BLOCK} b{html._LINE}")
@example(f"{html._BLOCK} x {html._CELL}  y \n{html._LINE}")
def test_layout_same_as_before_on_any_flow(flow: str) -> None:
    assert html._layout(flow) == old_layout(flow)


def _flows_of(pages: list[str]) -> list[str]:
    """The flows the walk hands to ``_layout`` for these pages."""
    flows: list[str] = []

    def keep(flow: str) -> str:
        flows.append(flow)
        return ""

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(html, "_layout", keep)
        for page in pages:
            html.html_text(page)
    return flows


def test_layout_same_as_before_on_real_pages() -> None:
    pages = [
        path.read_bytes().decode("utf-8", "replace")
        for path in sorted((ROOT / "tests" / "fixtures" / "quotes" / "pages").glob("*.html"))
    ]
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    try:
        from archive_origin import PageWriter
    finally:
        sys.path.remove(str(ROOT / "tests" / "bench"))
    writer = PageWriter(7)
    pages += [writer.page(index).decode() for index in range(5)]
    flows = _flows_of(pages)
    assert len(flows) == len(pages)
    for flow in flows:
        assert html._layout(flow) == old_layout(flow)
