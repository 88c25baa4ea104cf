"""The markup pre-scan and the CPU budget of one page's extraction (issue 14 §2)."""

from __future__ import annotations

import time

import pytest

from factledger.text import extract_text
from factledger.text.limits import CpuBudget, ExtractLimitError, ExtractLimits, check_markup

pytestmark = pytest.mark.unit

# Scan every page, however small, so the rules are tested on short inputs.
SCAN_ALL = ExtractLimits(max_depth=50, max_elements=10_000, scan_from_tags=0)


def _nested(tag: str, depth: int) -> str:
    return f"<{tag}>" * depth + "x" + f"</{tag}>" * depth


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        # Hostile inputs: nesting by start tags alone, by "<div/>" (which HTML ignores: it opens a div),
        # by unclosed formatting elements, and sheer element count.
        (_nested("div", 51), "nesting depth > 50"),
        ("<div/>" * 51, "nesting depth > 50"),
        ("<b><i>" * 26, "nesting depth > 50"),
        ("<br>" * 10_001, "more than 10000 elements"),
    ],
)
def test_hostile_markup_is_refused(html: str, reason: str) -> None:
    with pytest.raises(ExtractLimitError, match=reason):
        check_markup(html, SCAN_ALL)


@pytest.mark.parametrize(
    "html",
    [
        _nested("div", 50),  # at the bound
        "<p>paragraph" * 500 + "<li>item" * 500,  # implicitly closed: never deeper than one
        "<svg>" + "<path d='M0 0'/>" * 500 + "</svg>",  # foreign content honours "/>"
        "<script>" + "if (a<b) { s = '<div>'; }" * 500 + "</script>",  # script text is not markup
        "<!--" + "<div>" * 500 + "-->",
        "<div>x</div>" * 5000,  # many elements, shallow
    ],
)
def test_ordinary_markup_passes(html: str) -> None:
    check_markup(html, SCAN_ALL)


def test_a_small_page_is_not_scanned_by_default() -> None:
    # Fewer "<" than the scan threshold: even 5,000 levels parse in well under a second.
    check_markup(_nested("div", 5000), ExtractLimits())


def test_extract_text_names_the_bound_and_gives_no_text() -> None:
    page = f"<html><body>{_nested('div', 60)}</body></html>".encode()
    extracted = extract_text(page, [("Content-Type", "text/html")], limits=SCAN_ALL)
    assert extracted.full_text is None
    assert extracted.problem == "extract_limit: nesting depth > 50"


def test_the_cpu_budget_is_checked_between_stages() -> None:
    budget = CpuBudget(0.0)
    started = time.process_time()
    while time.process_time() == started:  # burn a little CPU so process time passes the zero budget
        sum(range(1000))
    with pytest.raises(ExtractLimitError, match="more than 0 s of CPU"):
        budget.check()
    page = b"<html><body><p>text</p></body></html>"
    extracted = extract_text(page, [("Content-Type", "text/html")], limits=ExtractLimits(cpu_seconds=-1.0))
    assert extracted.problem == "extract_limit: more than -1 s of CPU"
