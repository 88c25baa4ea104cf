"""The bundled article through read_document + extract_candidates.

The expectations come from reading the article (dated 2024-01-14, about US mediation in 2023), not from the
program's output: which sentences carry checkable facts, when the meetings were, who said what.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from factledger.ingest.pipeline import DEFAULT_MIN_SCORE, Candidate, extract_candidates
from factledger.ingest.reader import SourceDocument, read_document

pytestmark = pytest.mark.integration

ARTICLES = Path(__file__).resolve().parents[2] / "data" / "articles"
SAMPLE = ARTICLES / "2024-01-14-us-mediation-armenia-azerbaijan.txt"


@pytest.fixture(scope="module")
def document() -> SourceDocument:
    return read_document(SAMPLE)


@pytest.fixture(scope="module")
def candidates(document: SourceDocument) -> list[Candidate]:
    return extract_candidates(document)


@pytest.fixture(scope="module")
def every_sentence(document: SourceDocument) -> list[Candidate]:
    return extract_candidates(document, min_score=0.0)


def only(items: list[Candidate], fragment: str) -> Candidate:
    matching = [item for item in items if fragment in item.text]
    assert len(matching) == 1, f"{len(matching)} candidates contain {fragment!r}"
    return matching[0]


def test_every_span_is_exact_and_in_document_order(document: SourceDocument) -> None:
    everything = extract_candidates(document, min_score=0.0)
    assert len(everything) == 30
    starts = [item.start for item in everything]
    assert starts == sorted(starts)
    for item in everything:
        assert document.body[item.start : item.end] == item.text


def test_the_default_threshold_keeps_the_factual_sentences_and_drops_some(
    candidates: list[Candidate],
) -> None:
    # The threshold favours recall (best F2 on training folds, see ingest/scoring.py): of the article's
    # 30 sentences, the 15 or so that report facts pass, some commentary too, and not everything.
    assert 15 <= len(candidates) < 30
    assert all(item.score >= DEFAULT_MIN_SCORE for item in candidates)


@pytest.mark.parametrize(
    "fragment",
    [
        "took place on February 18",
        "between May 1-4",
        "Ararat Mirzoyan and Jeyhun Bayramov were held",
        # The learned model scores this reported quotation low (0.21: in its debate training data quotations
        # are mostly rhetoric), but above the recall-oriented threshold.
        "really within reach of an agreement",
        "took place between June 27-29",
        "planned for the end of last year on November 20",
        "O’Brien noted that",
        "Edmon Marukyan recently announced",
        "The Armenian Foreign Ministry actually refuted",
        "raised the issue of the Armenia-Turkey negotiation process",
        "Erika Olson met with",
        "Azerbaijan resorted to force in September 2023",
        "Samantha Power, the USAID director, visited",
        "Power announced $11.5 million",
        "conveyed President Joe Biden’s letter",
    ],
)
def test_factual_sentences_are_candidates(candidates: list[Candidate], fragment: str) -> None:
    only(candidates, fragment)


@pytest.mark.parametrize(
    "fragment",
    [
        # Known misses at the recall-oriented threshold (0.15), each with the learned model's score: a desk
        # sees them and dismisses them. Their hedge, opinion or evaluation words lower the score, but
        # event words, places and a year raise it more (the reasons are the model's own).
        pytest.param(
            "one can conclude",
            marks=pytest.mark.xfail(strict=True, reason="0.17: “prevented” and “invasion”"),
        ),
        "It seemed that the final version",
        pytest.param(
            "This speaks to the fact",
            marks=pytest.mark.xfail(strict=True, reason="0.33: “the United States” and “relations”"),
        ),
        pytest.param(
            "remains no less important",
            marks=pytest.mark.xfail(strict=True, reason="0.23: a place outweighs “important”"),
        ),
        "the United States can expand its influence",
        "there was information that Azerbaijan was going to invade",
        pytest.param(
            "there is not much information available",
            marks=pytest.mark.xfail(strict=True, reason="0.32: a place and “2023”"),
        ),
    ],
)
def test_opinion_and_analysis_score_below_the_threshold(
    every_sentence: list[Candidate], fragment: str
) -> None:
    assert only(every_sentence, fragment).score < DEFAULT_MIN_SCORE


def test_february_meeting_is_dated_in_2023_and_spoken_by_blinken(candidates: list[Candidate]) -> None:
    meeting = only(candidates, "February 18")
    assert meeting.dates == ["2023-02-18"]
    assert meeting.speaker == "Blinken"


@pytest.mark.parametrize(
    ("fragment", "dates"),
    [
        ("between May 1-4", ["2023-05-01/2023-05-04"]),
        ("between June 27-29", ["2023-06-27/2023-06-29"]),
        ("on November 20", ["2023-11-20"]),
        ("after the events of September 19", ["2023-09-19"]),
        ("in January 2024", ["2024-01-01/2024-01-31"]),
        ("in September 2023", ["2023-09-01/2023-09-30"]),
    ],
)
def test_dates_are_anchored(candidates: list[Candidate], fragment: str, dates: list[str]) -> None:
    assert only(candidates, fragment).dates == dates


def test_no_candidate_is_dated_outside_the_period_the_article_covers(candidates: list[Candidate]) -> None:
    for item in candidates:
        for value in item.dates:
            for day in value.split("/"):
                assert "2023-01-01" <= day <= "2024-01-31", (item.text, value)


# Speakers and quotations are found in every sentence, whatever its score: these read all of them.
def test_blinken_quote_is_captured(every_sentence: list[Candidate]) -> None:
    statement = only(every_sentence, "made a remarkable statement")
    assert statement.speaker == "Blinken"
    assert statement.quote == "really within reach of an agreement."


def test_long_blinken_quotation_is_one_candidate(every_sentence: list[Candidate]) -> None:
    statement = only(every_sentence, "Blinken’s statements after this meeting")
    assert statement.speaker == "Blinken"
    assert statement.quote is not None
    assert statement.quote.startswith("I think there’s also a clear understanding")
    assert statement.quote.endswith("to reach agreement.")


@pytest.mark.parametrize(
    ("fragment", "speaker", "quote_start"),
    [
        # A surname is the full name written earlier in the article.
        ("O’Brien noted that", "James O’Brien", "We’ve made clear that nothing will be normal"),
        ("Foreign Ministry actually refuted", "The Armenian Foreign Ministry", "if there is an agreement"),
        ("Joe Biden’s letter", "Joe Biden", "Armenia’s pursuit of a dignified"),
        ("Edmon Marukyan recently announced", "Edmon Marukyan", None),
        ("reiterated by Power", "Samantha Power", None),
    ],
)
def test_speakers_and_quotes(
    every_sentence: list[Candidate], fragment: str, speaker: str, quote_start: str | None
) -> None:
    item = only(every_sentence, fragment)
    assert item.speaker == speaker
    if quote_start is None:
        assert item.quote is None
    else:
        assert item.quote is not None
        assert item.quote.startswith(quote_start)


def test_dollar_figure_scores_high(candidates: list[Candidate]) -> None:
    figure = only(candidates, "$11.5 million")
    assert figure.speaker == "Samantha Power"
    # The figure is among the reasons (as a quantity cue or as its words).
    assert any(reason.startswith(("quantity", "“million”", "“11.5”")) for reason in figure.reasons)
    assert figure.score >= 0.6
    ranked = sorted(candidates, key=lambda item: item.score, reverse=True)
    assert ranked.index(figure) < len(ranked) // 2


def test_a_lower_threshold_returns_more(document: SourceDocument, candidates: list[Candidate]) -> None:
    assert len(extract_candidates(document, min_score=0.0)) > len(candidates)
    assert len(extract_candidates(document, min_score=0.9)) < len(candidates)
