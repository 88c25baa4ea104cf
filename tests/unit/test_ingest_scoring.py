"""Check-worthiness: checkable content scores high, the author's judgement low, and reasons explain both."""

from __future__ import annotations

from datetime import date

import pytest

from factledger.ingest.dates import find_dates
from factledger.ingest.pipeline import DEFAULT_MIN_SCORE
from factledger.ingest.scoring import Score, score_sentence
from factledger.ingest.speakers import find_attribution

PUBLISHED = date(2024, 1, 14)


def score(sentence: str, context: str = "last year") -> Score:
    return score_sentence(sentence, find_dates(sentence, PUBLISHED, context), find_attribution(sentence))


def test_dollar_figure_announced_by_an_official_scores_high() -> None:
    result = score("During her visit Power announced $11.5 million in humanitarian assistance.")
    assert result.value >= 0.6
    assert {"quantity", "named person", "reported speech"} <= set(result.reasons)


@pytest.mark.parametrize(
    "sentence",
    [
        "Turnout fell to 41.5% in the capital.",
        "The agency counted 120 000 refugees and 3 billion in losses.",
        "The fund received €2,500 from donors.",
    ],
)
def test_quantities(sentence: str) -> None:
    assert "quantity" in score(sentence).reasons


def test_numbers_inside_dates_are_not_quantities() -> None:
    result = score("The meeting took place on February 18, 2023 in Munich.")
    assert "date" in result.reasons
    assert "quantity" not in result.reasons


def test_dated_meeting_with_named_people_scores_above_the_threshold() -> None:
    result = score(
        "The first tripartite meeting between Blinken, Nikol Pashinyan and Aliyev took place on February 18 "
        "within the framework of the Munich Security Conference."
    )
    assert result.value >= 0.6
    assert {"date", "named person", "place/organization", "event"} <= set(result.reasons)


def test_quoted_official_scores_above_the_threshold() -> None:
    result = score(
        "In a statement, O’Brien noted that “We’ve made clear that nothing will be normal with Azerbaijan.”"
    )
    assert result.value > DEFAULT_MIN_SCORE
    assert "direct quote" in result.reasons
    assert "reported speech" not in result.reasons


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        (
            "However, considering the messages Power conveyed and Biden’s letter, one can conclude that there "
            "was indeed a risk of invasion.",
            "opinion (one can conclude)",
        ),
        ("It seemed that the final version of the contract would be ready soon.", "opinion (It seemed)"),
        (
            "This speaks to the fact that the United States remains interested in the normalization.",
            "opinion (This speaks to)",
        ),
        ("In my opinion, the talks in Geneva were a failure.", "opinion (In my opinion)"),
        ("It is obvious that Armenia wants peace with Azerbaijan.", "opinion (It is obvious)"),
        ("Perhaps the United States will expand its influence in the region.", "hedge (Perhaps)"),
        ("Will Azerbaijan really sign the treaty with Armenia?", "rhetorical question"),
    ],
)
def test_opinion_and_analysis_score_well_below_half(sentence: str, reason: str) -> None:
    result = score(sentence)
    assert result.value < 0.5
    assert result.value < DEFAULT_MIN_SCORE
    assert any(found.startswith(reason.split(" (")[0]) for found in result.reasons), result.reasons


def test_opinion_words_inside_a_quotation_do_not_count_against_it() -> None:
    quoted = score("Blinken said: “I think it is obvious that we are close to an agreement.”")
    assert not any(reason.startswith(("opinion", "hedge")) for reason in quoted.reasons)
    assert "direct quote" in quoted.reasons
    unquoted = score("I think it is obvious that Blinken is close to an agreement.")
    assert unquoted.value < quoted.value


def test_hedge_lowers_an_otherwise_identical_sentence() -> None:
    firm = score("Azerbaijan signed the treaty with Armenia in September 2023.")
    hedged = score("Azerbaijan might have signed the treaty with Armenia in September 2023.")
    assert hedged.value < firm.value
    assert "hedge (might)" in hedged.reasons


def test_scare_quotes_are_not_a_direct_quote() -> None:
    result = score("Washington has canceled “high level” visits.")
    assert "direct quote" not in result.reasons


def test_value_is_clamped_to_the_unit_interval() -> None:
    rich = score(
        "On February 18, 2023, US Secretary Antony Blinken told the Munich Security Conference in Germany "
        "that “$11.5 million will be sent,” and officials met 40 delegates."
    )
    poor = score("Perhaps, one can conclude it might, in my opinion, maybe seem so?")
    assert rich.value == 1.0
    assert poor.value == 0.0
    assert 0.0 <= score("Short one.").value <= 1.0
