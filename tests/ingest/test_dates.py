"""Date mentions anchored to absolute dates, relative to the publication date and the text before."""

from __future__ import annotations

from datetime import date

import pytest

from factledger.ingest.dates import find_dates, last_year_cue

pytestmark = pytest.mark.unit

PUBLISHED = date(2024, 1, 14)


def isos(sentence: str, published: date | None = PUBLISHED, context: str = "") -> list[str]:
    return [mention.iso for mention in find_dates(sentence, published, context)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("It ended on September 25, 2023.", ["2023-09-25"]),
        ("It ended on 25 September 2023.", ["2023-09-25"]),
        ("It ended on Sept. 25, 2021.", ["2021-09-25"]),
        ("It ended on Sep 3rd 2020.", ["2020-09-03"]),
        ("It ended on the 18th of February, 2022.", ["2022-02-18"]),
        ("See the filing of 2022-11-05.", ["2022-11-05"]),
        ("The war broke out in September 2023.", ["2023-09-01/2023-09-30"]),
        ("A meeting in January 2024 was proposed.", ["2024-01-01/2024-01-31"]),
        ("It happened in 2022.", ["2022-01-01/2022-12-31"]),
        ("The 2019-2021 programme ended.", ["2019-01-01/2021-12-31"]),
        ("The 2020-21 season ended.", ["2020-01-01/2021-12-31"]),
        ("Talks ran May 1-4, 2023.", ["2023-05-01/2023-05-04"]),
        ("Talks ran 1–4 May 2023.", ["2023-05-01/2023-05-04"]),
        ("Talks ran from May 30 to June 2, 2022.", ["2022-05-30/2022-06-02"]),
    ],
)
def test_dates_with_a_written_year(sentence: str, expected: list[str]) -> None:
    assert isos(sentence) == expected


def test_mention_carries_its_words_offsets_and_precision() -> None:
    sentence = "It took place on February 18 in Munich."
    [mention] = find_dates(sentence, PUBLISHED, "")
    assert sentence[mention.start : mention.end] == mention.text == "February 18"
    assert (mention.first, mention.last, mention.precision) == (date(2023, 2, 18), date(2023, 2, 18), "day")


def test_month_day_after_publication_falls_in_the_previous_year() -> None:
    # February 18, 2024 would be after the 2024-01-14 publication date.
    assert isos("The meeting took place on February 18.") == ["2023-02-18"]


def test_month_day_before_publication_takes_the_publication_year() -> None:
    assert isos("The meeting took place on January 10.") == ["2024-01-10"]


def test_last_year_in_the_context_moves_a_date_back_a_year() -> None:
    # January 10, 2024 is before publication, but the article is talking about last year.
    context = "We can single out several meetings organized by the United States last year. "
    assert isos("The first meeting took place on January 10.", context=context) == ["2023-01-10"]


def test_the_nearest_year_cue_wins() -> None:
    context = "Last year was busy. This year began quietly."
    assert isos("Talks took place on January 10.", context=context) == ["2024-01-10"]


def test_last_year_earlier_in_the_same_sentence_counts() -> None:
    assert isos("Talks were planned for the end of last year on November 20.") == [
        "2023-01-01/2023-12-31",
        "2023-11-20",
    ]


def test_an_explicit_year_in_the_sentence_anchors_year_less_dates() -> None:
    assert isos("The last negotiations of 2021 took place between June 27-29.") == [
        "2021-01-01/2021-12-31",
        "2021-06-27/2021-06-29",
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Negotiations were held between May 1-4 at the level of ministers.", ["2023-05-01/2023-05-04"]),
        ("The talks took place between June 27-29.", ["2023-06-27/2023-06-29"]),
        ("The talks took place between June 27 and 29.", ["2023-06-27/2023-06-29"]),
        ("The talks took place June 27–29.", ["2023-06-27/2023-06-29"]),
        # Without "between", "June 27 and 29" names two days; only the first is a full mention.
        ("They met on June 27 and 29.", ["2023-06-27"]),
    ],
)
def test_day_ranges(sentence: str, expected: list[str]) -> None:
    assert isos(sentence, context="last year") == expected


def test_range_across_new_year() -> None:
    assert isos("The truce held from December 28 to January 3.") == ["2023-12-28/2024-01-03"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("It was organized last year.", ["2023-01-01/2023-12-31"]),
        ("It is planned for this year.", ["2024-01-01/2024-12-31"]),
        ("It is planned for next year.", ["2025-01-01/2025-12-31"]),
        ("It was announced yesterday.", ["2024-01-13"]),
    ],
)
def test_relative_expressions(sentence: str, expected: list[str]) -> None:
    assert isos(sentence) == expected


def test_without_a_publication_date_only_anchored_dates_are_returned() -> None:
    # "last year" means nothing without knowing when "now" is, so it is left out rather than guessed.
    assert isos("It happened on February 18 last year.", published=None) == []
    assert isos("It happened on February 18, 2023.", published=None) == ["2023-02-18"]
    assert isos("In 2021 it happened on May 3.", published=None) == ["2021-01-01/2021-12-31", "2021-05-03"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Power announced $11.5 million in assistance.",
        "Growth was 2023% and the fund held $2024.",
        "She may attend; they march on.",
        "Nothing happened on February 30.",
        "The Mayor 5 plan and the Augusta 12 course.",
        "In the last two months progress was made.",
    ],
)
def test_things_that_are_not_dates(sentence: str) -> None:
    assert isos(sentence) == []


def test_overlapping_readings_collapse_to_the_longest() -> None:
    mentions = find_dates("On 25 September 2023 it ended.", PUBLISHED, "")
    assert [(mention.text, mention.iso) for mention in mentions] == [("25 September 2023", "2023-09-25")]


def test_capitalised_last_year_and_the_past_year() -> None:
    assert isos("Last year talks took place on March 3.") == ["2023-01-01/2023-12-31", "2023-03-03"]
    # "the past year" is the last twelve months, not a calendar year.
    assert isos("Prices rose over the past year.") == []


def test_last_year_cue_is_the_latest_one() -> None:
    assert last_year_cue("Last year was busy; next year will be calmer.") == "next year"
    assert last_year_cue("No cue here, only 2023.") is None
