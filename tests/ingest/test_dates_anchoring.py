"""Dates anchored to the day the article was written: one test per rule, each saying why it is needed.

The articles here are dated Thursday 2025-06-12 unless a test says otherwise.
"""

from __future__ import annotations

from datetime import date

import pytest

from factledger.ingest.anchoring import is_future_clause, month_year, weekday_date
from factledger.ingest.dates import find_dates

pytestmark = pytest.mark.unit

THURSDAY = date(2025, 6, 12)


def isos(sentence: str, published: date | None = THURSDAY, context: str = "") -> list[str]:
    return [mention.iso for mention in find_dates(sentence, published, context)]


def test_a_reported_weekday_is_the_most_recent_one_on_or_before_publication() -> None:
    # News reports what happened: "voted on Tuesday" in Thursday's paper is two days before.
    assert isos("The council voted on Tuesday to close the pool.") == ["2025-06-10"]
    # "said on Thursday" in Thursday's paper is that very day, not a week before.
    assert isos("The ministry said on Thursday that 40 schools were shut.") == ["2025-06-12"]
    assert isos("Police made the arrest on Friday.") == ["2025-06-06"]


def test_a_planned_weekday_is_the_next_one_after_publication() -> None:
    # "will appear in court on Monday" cannot be last Monday.
    assert isos("The suspect will appear in court on Monday.") == ["2025-06-16"]
    assert isos("Talks are due to resume on Thursday.") == ["2025-06-19"]


def test_a_weekday_that_opens_a_full_date_is_not_read_twice() -> None:
    assert isos("The vote was held on Tuesday, June 3, 2025.") == ["2025-06-03"]
    assert isos("Monday 2 June 2025 was the deadline.") == ["2025-06-02"]


def test_weekdays_need_the_publication_date() -> None:
    assert isos("The council voted on Tuesday.", published=None) == []


def test_a_reported_month_alone_is_the_most_recent_one() -> None:
    # "in March" written in June is this March; "in September" written in June is last September.
    assert isos("Sales fell in March.") == ["2025-03-01/2025-03-31"]
    assert isos("The plant closed in September.") == ["2024-09-01/2024-09-30"]
    assert isos("Prices have risen since January.") == ["2025-01-01/2025-01-31"]


def test_a_planned_month_alone_is_the_next_one() -> None:
    # "is due to open in August" and "will rule in January" look forward from June.
    assert isos("The bridge is due to open in August.") == ["2025-08-01/2025-08-31"]
    assert isos("The judge said she would rule in January.") == ["2026-01-01/2026-01-31"]
    assert isos("A decision is expected in February.") == ["2026-02-01/2026-02-28"]


def test_last_next_and_this_month() -> None:
    # "last October" in June 2025 is October 2024; "last June" in June is a year back, not this month.
    assert isos("Talks broke down last October.") == ["2024-10-01/2024-10-31"]
    assert isos("The fair was held last June.") == ["2024-06-01/2024-06-30"]
    assert isos("Elections will be held next May.") == ["2026-05-01/2026-05-31"]
    assert isos("The festival returns this September.") == ["2025-09-01/2025-09-30"]


def test_may_the_verb_and_march_the_verb_are_not_months() -> None:
    assert isos("Officials may decide to march on.") == []
    assert isos("May we add that it rained?") == []


def test_a_deadline_is_the_next_such_day() -> None:
    # Without the future reading, "by June 15" in a June 12 article was placed in 2024 (before publication
    # only), and "by January 15" in 2025.
    assert isos("Applications must be filed by June 15.") == ["2025-06-15"]
    assert isos("Towns must apply by January 15.") == ["2026-01-15"]
    assert isos("Opponents have until April 30 to appeal.") == ["2026-04-30"]


def test_a_past_tense_by_date_is_the_most_recent_one() -> None:
    # "by" alone is not a deadline: "had received … by December 31" reports the past.
    assert isos("Half the staff had received the vaccine by December 31.") == ["2024-12-31"]


def test_the_clause_decides_which_way_each_date_points() -> None:
    # Reported on Tuesday, planned for July: one sentence, two directions.
    assert isos("The firm said on Tuesday that the plant would open on July 20.") == [
        "2025-06-10",
        "2025-07-20",
    ]


def test_a_planned_date_ignores_an_earlier_sentences_last_year() -> None:
    context = "Profits fell last year. "
    # A reported date follows the cue (the sample article's rule) ...
    assert isos("Talks were held on February 3.", context=context) == ["2024-02-03"]
    # ... a deadline is counted from the day of writing.
    assert isos("Bids are due by September 1.", context=context) == ["2025-09-01"]


def test_a_written_year_anchors_only_the_dates_after_it() -> None:
    # "ended in April, its worst since it turned professional in 1987": 1987 is another event.
    assert isos("The season ended in April, its worst since it went professional in 1987.") == [
        "2025-04-01/2025-04-30",
        "1987-01-01/1987-12-31",
    ]
    assert isos("In 2019 the treaty was signed on March 3.") == ["2019-01-01/2019-12-31", "2019-03-03"]


def test_between_two_years_is_one_range() -> None:
    assert isos("Temperatures rose between 1990 and 2020.") == ["1990-01-01/2020-12-31"]


def test_quarters() -> None:
    assert isos("The plant will open in the second quarter of 2027.") == ["2027-04-01/2027-06-30"]
    assert isos("Revenue rose in Q4 2024.") == ["2024-10-01/2024-12-31"]


def test_rolling_months_to_a_month() -> None:
    # Statistics offices report "the three months to September": July to September.
    assert isos("Unemployment rose in the three months to April.") == ["2025-02-01/2025-04-30"]
    assert isos("Output fell in the 12 months to March 2024.") == ["2023-04-01/2024-03-31"]


@pytest.mark.parametrize(
    ("sentence", "future"),
    [
        ("The man will appear in court on", True),
        ("The bridge is due to open in", True),
        ("Bids must be filed by", True),
        ("The council voted on", False),
        ("The firm said on", False),
        ("The firm said on Tuesday that the plant would open on", True),
        ("The plan will start soon and was announced in", False),
    ],
)
def test_is_future_clause(sentence: str, future: bool) -> None:
    assert is_future_clause(sentence + " X", len(sentence) + 1) is future


def test_weekday_and_month_arithmetic_at_the_edges() -> None:
    assert weekday_date(3, THURSDAY, future=False) == THURSDAY
    assert weekday_date(3, THURSDAY, future=True) == date(2025, 6, 19)
    assert month_year(6, THURSDAY, future=False) == 2025
    assert month_year(6, THURSDAY, future=False, relative="last") == 2024
    assert month_year(6, THURSDAY, future=True, relative="next") == 2026
    assert month_year(1, date(2025, 12, 30), future=True) == 2026


def test_a_range_of_months_ends_where_its_clause_points() -> None:
    # Winter rain "between November and March", counted in June, crosses the new year.
    assert isos("The region received little rain between November and March.") == ["2024-11-01/2025-03-31"]
    assert isos("The museum will close from August to October.") == ["2025-08-01/2025-10-31"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # A timetable is stated in the present: these were read as the past ones (2025-06-06,
        # March 2025, 2024-06-21, May 2025) although each is still to come on the day of writing.
        ("The night-bus service starts on Friday.", ["2025-06-13"]),
        ("The new leisure centre opens in March.", ["2026-03-01/2026-03-31"]),
        ("The consultation closes on June 21.", ["2025-06-21"]),
        ("The tax break expires in May.", ["2026-05-01/2026-05-31"]),
        # The past tense of the same verbs still reports.
        ("The leisure centre opened in May.", ["2025-05-01/2025-05-31"]),
        ("The night-bus service started on Friday.", ["2025-06-06"]),
    ],
)
def test_a_timetable_verb_in_the_present_looks_forward(sentence: str, expected: list[str]) -> None:
    assert isos(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Was no date at all: "last month" is the calendar month before the article's, the unit a
        # reviewer would look up ("figures for May"), not the 30 days before it.
        ("The council sold the depot last month.", ["2025-05-01/2025-05-31"]),
        ("Hearings resume next month.", ["2025-07-01/2025-07-31"]),
        ("Rents rose again this month.", ["2025-06-01/2025-06-30"]),
    ],
)
def test_last_this_and_next_month(sentence: str, expected: list[str]) -> None:
    assert isos(sentence) == expected


def test_last_month_across_a_new_year() -> None:
    assert isos("Sales slumped last month.", date(2025, 1, 9)) == ["2024-12-01/2024-12-31"]
    assert isos("The tunnel opens next month.", date(2025, 12, 9)) == ["2026-01-01/2026-01-31"]


def test_last_month_needs_the_publication_date() -> None:
    assert isos("The council sold the depot last month.", None) == []
