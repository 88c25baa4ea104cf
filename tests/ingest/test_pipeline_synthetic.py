"""extract_candidates on small synthetic documents: context carried across sentences, spans, filtering."""

from __future__ import annotations

import re
from datetime import date

import pytest

from factledger.ingest.pipeline import extract_candidates
from factledger.ingest.reader import SourceDocument, parse_text

pytestmark = pytest.mark.unit


def test_last_year_earlier_in_the_document_anchors_later_dates() -> None:
    document = parse_text(
        "date 2024-03-01 Last year was busy for the ministry.\n\n"
        "Talks took place on January 10 in Geneva, Blinken said. Another round was held on April 2 in Baku.",
        title=None,
        fmt="text",
    )
    assert document.published == date(2024, 3, 1)
    dated = {item.text[:11]: item.dates for item in extract_candidates(document, min_score=0.0)}
    # Without the cue, January 10 would be 2024 (before publication); April 2 is after it either way.
    assert dated["Talks took "] == ["2023-01-10"]
    assert dated["Another rou"] == ["2023-04-02"]


def test_candidates_carry_speaker_quote_reasons_and_exact_spans() -> None:
    body = "Intro line here.\n\n  Minister Ararat Mirzoyan said “we are ready to sign” on May 3, 2023."
    document = SourceDocument(title="t", body=body, published=date(2023, 6, 1))
    [item] = [c for c in extract_candidates(document, min_score=0.0) if "Mirzoyan" in c.text]
    assert body[item.start : item.end] == item.text
    assert (item.speaker, item.quote, item.dates) == (
        "Ararat Mirzoyan",
        "we are ready to sign",
        ["2023-05-03"],
    )
    # Reasons are the model's largest contributions, each with its signed share ("“sign” +0.21").
    assert item.reasons
    assert all(re.fullmatch(r".+ [+-]\d+\.\d\d", reason) for reason in item.reasons), item.reasons


def test_min_score_filters() -> None:
    document = SourceDocument(
        title="t",
        body="Perhaps one can conclude it might be so. Power announced $11.5 million on May 3, 2023.",
        published=None,
    )
    assert [c.text[:5] for c in extract_candidates(document)] == ["Power"]
    assert len(extract_candidates(document, min_score=0.0)) == 2
