"""Placing a date written without its year (or as a bare weekday or month) on the calendar.

A news article is written on one day, its publication date, and its year-less dates point away from that
day: backwards when they report what happened ("voted on Tuesday", "in January"), forwards when they
announce what is planned ("will rule in May", "is due to open in August", "by June 15", "the centre opens
in August"). Which way is read from the clause the date sits in: a future or deadline word, or a
timetable verb in the present, before the date and in the same clause, points forwards; anything else
points backwards. The clause is what follows the last comma, colon, semicolon,
quotation mark or clause word ("that", "when", "and") before the date: in "said on Tuesday that the plant
would open in June", Tuesday is reported and June is planned.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Words that put what follows them in the future or make it a deadline. "would" counts: in reported
# speech it is the future seen from the past ("she said she would rule in January").
# So do the present-tense verbs of a timetable: "the centre opens in August", "a hosepipe ban starts on
# Friday" -- English states a scheduled event in the present, and news reports a past one in the past.
_FUTURE_CUE = re.compile(
    r"(?i)\b(?:will|would|shall|must|due|expected|expects|scheduled|set\s+to|plans?|planned|intends?"
    r"|until|till|upcoming|next|deadline|is\s+to|are\s+to"
    r"|(?:re)?opens|starts|begins|ends|closes|resumes|launches|expires|kicks\s+off|takes\s+effect"
    r"|comes\s+into\s+force|goes\s+on\s+sale)\b|['’]ll\b"
)
_CLAUSE_BREAK = re.compile(r"(?i)[,;:“”\"()]|\b(?:that|when|and|but|after|before|while|which)\b")


def is_future_clause(sentence: str, position: int) -> bool:
    """True when the clause holding ``sentence[position:]`` looks forward from the day it was written."""
    clause_start = 0
    for match in _CLAUSE_BREAK.finditer(sentence, 0, position):
        clause_start = match.end()
    return _FUTURE_CUE.search(sentence, clause_start, position) is not None


def weekday_date(weekday: int, published: date, *, future: bool) -> date:
    """The weekday (0 = Monday) nearest the publication day in the clause's direction.

    Reported: the most recent one on or before publication ("said on Friday" in Friday's paper is that
    day). Planned: the next one after it ("will appear in court on Monday").
    """
    if future:
        return published + timedelta(days=(weekday - published.weekday() - 1) % 7 + 1)
    return published - timedelta(days=(published.weekday() - weekday) % 7)


def month_year(month: int, published: date, *, future: bool, relative: str | None = None) -> int:
    """The year of a month named without one.

    "last October" is the most recent October before the publication month, "next October" the first
    after it, "this October" the publication year's. Otherwise a reported month is the most recent one
    up to and including the publication month, and a planned month the next one from it on.
    """
    if relative == "this":
        return published.year
    if relative == "last":
        return published.year if month < published.month else published.year - 1
    if relative == "next":
        return published.year if month > published.month else published.year + 1
    if future:
        return published.year if month >= published.month else published.year + 1
    return published.year if month <= published.month else published.year - 1


def day_year(month: int, day: int, published: date, *, future: bool) -> int:
    """The year of a month and day written without one: the next such day when planned, else the last."""
    year = published.year
    try:
        candidate = date(year, month, day)
    except ValueError:
        return year  # February 29 of a common year: the caller's date() call rejects it
    if future:
        return year if candidate >= published else year + 1
    return year if candidate <= published else year - 1
