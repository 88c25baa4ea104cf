"""A news document's own metadata -- byline, "Published …" line, date line, dateline, transcript turn
labels -- told apart from its prose.

These lines describe the document, not the world: "By Jane Doe" is not a claim, and neither is the
"LISBON, March 3 (Wire) -" in front of the first sentence. They fill the Document's author, place and
date instead, and their characters are left out of the text that is split into sentences (``prose``),
so no claim contains them. Offsets are kept: ``prose`` is the body with those characters blanked.

Where they are looked for, and why there:

- bylines, "Published …" lines and lines holding only a date, among the lines before the first paragraph
  of prose (a headline's next lines);
- wire credits ("(Reporting by Jan Weber; Editing by …)"), as a line of their own anywhere;
- a dateline, at the start of the first paragraph of prose: a place in capitals (or a place with a date
  or an agency in brackets) followed by a dash;
- turn labels ("MARIN:", "Q:"), at the start of paragraphs of a transcript: only when at least two
  paragraphs open with one, so a lone "NOTE:" stays prose.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from factledger.ingest.dates import find_dates
from factledger.ingest.reader import SourceDocument

# At most this many lines of metadata open a document; the first line that is none of them is prose.
_MAX_HEAD_LINES = 6
_NAME_WORD = r"(?:[A-Z][\w.’'\-]*|and|de|van|von|da|del|la|le|bin|al)"
_PERSON_NAMES = rf"[A-Z][\w.’'\-]*(?:\s+{_NAME_WORD}){{0,7}}"
# "By Jane Doe"; "Interview by Sophie Larkin", "Words by …", "Story by …": a byline names what the author did.
_BYLINE = re.compile(
    rf"^(?:By|BY|(?:Interview(?:ed)?|Interviews|Words|Story|Text|Report)\s+by)\s+(?P<name>{_PERSON_NAMES})\s*(?:$|[,|;—–]|\s-\s)"
)
_CREDIT = re.compile(
    rf"^\(?\s*(?:Reporting|Reported|Written|Text)\s+by\s+(?P<name>{_PERSON_NAMES})\s*(?:$|[,;)])"
)
_PUBLISHED = re.compile(r"^(?:(?:First\s+)?[Pp]ublished|(?:Last\s+)?[Uu]pdated|Posted)\b\s*(?:on\s+)?:?\s*")
# What may surround the date on a date line: weekday, time of day, time zone, separators.
_DATE_LINE_REST = re.compile(
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|\b\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?|\b(?:at|GMT|UTC|[A-Z]{2,4}T)\b"
    r"|[\s,|–—-]+"
)
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Za-z.’'\-]*(?:\s+[A-Z][A-Za-z.’'\-]*){0,3})"
    r"(?:\s*,\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?))?"
    r"\s*(?:\((?P<agency>[^()\n]{1,40})\))?"
    r"\s*(?:--?|—|–)\s+"
)
_DATELINE_MONTH_DAY = re.compile(r"(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})")
_MONTH_NUMBERS = {
    **{name.lower(): number for number, name in enumerate(calendar.month_name) if name},
    **{name.lower(): number for number, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}
_TURN_LABEL = re.compile(r"(?P<label>[A-Z][A-Z’'\-]+(?:\s+[A-Z][A-Z’'\-]+){0,2}|Q|A):\s+")
_LINE = re.compile(r"[^\n]*\n?")
_MAX_BYLINE_WORDS = 12
# "By Monday, …", "By The Numbers": words that open a phrase, not a name.
_NOT_A_NAME = frozenset(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "The",
        "This",
        "That",
        "Then",
        "Now",
        "Law",
        "Contrast",
        "Comparison",
        "Far",
        "Late",
        "Early",
        "Next",
        "Last",
        "Noon",
        "Night",
    ]
)
# Paragraph labels of the newsroom, not of a speaker.
_NOT_SPEAKER_LABELS = frozenset(
    [
        "NOTE",
        "UPDATE",
        "UPDATED",
        "CORRECTION",
        "CLARIFICATION",
        "WARNING",
        "BACKGROUND",
        "CONTEXT",
        "RELATED",
        "WATCH",
        "LISTEN",
        "PHOTO",
        "VIDEO",
        "EDITOR'S",
        "EDITOR’S",
        "SOURCE",
        "SOURCES",
        "DISCLOSURE",
    ]
) | {"EDITOR'S NOTE", "EDITOR’S NOTE", "READ MORE"}
_PARAGRAPH_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")


@dataclass(frozen=True, slots=True)
class Turn:
    """A transcript paragraph and the label of who speaks in it ("MARIN" in "MARIN: We lost …")."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class DocumentMetadata:
    # The document's title, or "" when what the reader took for a headline was a byline or a date line.
    title: str
    author: str | None
    place: str | None
    published: date | None
    # Ranges of the body that are metadata, not prose.
    spans: tuple[tuple[int, int], ...] = ()
    turns: tuple[Turn, ...] = ()
    prose: str = field(default="", repr=False)


@dataclass
class _Found:
    author: str | None = None
    credit: str | None = None
    published: date | None = None
    place: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


def read_metadata(document: SourceDocument, *, today: date | None = None) -> DocumentMetadata:
    """The document's metadata, and its body with the metadata blanked out (``prose``).

    ``today`` (default: the day it runs) gives the year of a dateline that writes none ("TALLINN, June 12
    (Wire) -"): the most recent such day, when the document holds no better date.
    """
    body = document.body
    found = _Found()
    title = document.title
    if title and _read_line(title, found):
        title = ""  # the reader took a byline or a date line for a headline
    prose_start = _read_head(body, found)
    _read_credits(body, found)
    _read_dateline(body, prose_start, found, today or date.today())
    turns = _read_turns(body)
    spans = sorted(found.spans + [(turn.start, turn.start + len(turn.label) + 1) for turn in turns])
    return DocumentMetadata(
        title=title,
        author=found.author or found.credit,
        place=found.place,
        published=document.published or found.published,
        spans=tuple(spans),
        turns=tuple(turns),
        prose=_blank(body, spans),
    )


def turn_at(metadata: DocumentMetadata, position: int) -> Turn | None:
    """The transcript turn holding body offset ``position``, if any."""
    return next((turn for turn in metadata.turns if turn.start <= position < turn.end), None)


def _read_head(body: str, found: _Found) -> int:
    """Read the metadata lines that open the body; return where the prose starts."""
    position = 0
    for index, match in enumerate(_LINE.finditer(body)):
        line = match.group(0)
        if not line:
            break
        if not line.strip():
            position = match.end()
            continue
        if index >= _MAX_HEAD_LINES + 4 or not _read_line(line.strip(), found):
            return match.start()
        start = match.start() + len(line) - len(line.lstrip())
        found.spans.append((start, start + len(line.strip())))
        position = match.end()
    return position


def _read_line(line: str, found: _Found) -> bool:
    """Take a byline, a "Published …" line or a date line (parts joined by "|" each one of these)."""
    parts = [part.strip() for part in line.split("|")]
    if not _read_part(parts[0], found):
        return False
    for part in parts[1:]:
        _read_part(part, found)  # "By Grace Whitaker | Capitol Bureau": the desk adds nothing
    return True


def _read_part(part: str, found: _Found) -> bool:
    byline = _BYLINE.match(part)
    if byline and _is_line_not_sentence(part) and byline.group("name").split()[0] not in _NOT_A_NAME:
        found.author = found.author or byline.group("name").strip()
        return True
    published = _PUBLISHED.match(part)
    day = _day_of(part[published.end() :] if published else part)
    if day is None:
        return False
    if not published and _DATE_LINE_REST.sub("", _without_date(part)):
        return False  # a date inside a sentence, not a date line
    found.published = found.published or day
    return True


def _is_line_not_sentence(part: str) -> bool:
    """ "By Jane Doe, Health Reporter" is a byline; "By Monday, officials had left." is prose."""
    return len(part.split()) <= _MAX_BYLINE_WORDS and not part.rstrip().endswith((".", "!", "?", ":"))


def _day_of(text: str) -> date | None:
    days = [mention for mention in find_dates(text, None) if mention.precision == "day"]
    return days[0].first if days else None


def _without_date(text: str) -> str:
    for mention in reversed(find_dates(text, None)):
        text = text[: mention.start] + text[mention.end :]
    return text


def _read_credits(body: str, found: _Found) -> None:
    for match in _LINE.finditer(body):
        line = match.group(0).strip()
        credit = _CREDIT.match(line) if "by" in line else None
        if credit:
            found.credit = found.credit or credit.group("name").strip()
            start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
            found.spans.append((start, start + len(line)))


def _read_dateline(body: str, prose_start: int, found: _Found, today: date) -> None:
    match = _DATELINE.match(body, prose_start)
    if not match:
        return
    place = match.group("place")
    if not (place.isupper() or match.group("date") or match.group("agency")):
        return  # "Officials - and residents - agreed": a capitalised word before a dash is not a dateline
    found.place = place.title() if place.isupper() else place
    found.spans.append((match.start(), match.end()))
    if found.published is None and match.group("date"):
        found.published = _dateline_day(match.group("date"), today)


def _dateline_day(written: str, today: date) -> date | None:
    """The day a dateline gives ("June 12", "Dec. 3, 2024"); without a year, the latest one by ``today``.

    A wire brief is read soon after it is filed, so a year-less dateline means this year's day, or last
    year's when this year's has not come yet.
    """
    with_year = _day_of(written)
    if with_year is not None:
        return with_year
    month_day = _DATELINE_MONTH_DAY.fullmatch(written.strip())
    month = _MONTH_NUMBERS.get(month_day.group("month").lower()) if month_day else None
    if month_day is None or month is None:
        return None
    day = int(month_day.group("day"))
    for year in (today.year, today.year - 1, today.year - 2):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # February 29 outside a leap year
        if candidate <= today:
            return candidate
    return None


def _read_turns(body: str) -> list[Turn]:
    starts = [0, *(match.end() for match in _PARAGRAPH_BREAK.finditer(body))]
    turns: list[Turn] = []
    for index, start in enumerate(starts):
        label = _TURN_LABEL.match(body, start)
        if label and label.group("label") not in _NOT_SPEAKER_LABELS:
            end = starts[index + 1] if index + 1 < len(starts) else len(body)
            turns.append(Turn(start, end, label.group("label")))
    return turns if len(turns) >= 2 else []


def _blank(body: str, spans: list[tuple[int, int]]) -> str:
    """``body`` with each span's characters turned to spaces (line breaks kept), offsets unchanged."""
    if not spans:
        return body
    chars = list(body)
    for start, end in spans:
        for index in range(start, end):
            if chars[index] != "\n":
                chars[index] = " "
    return "".join(chars)
