"""A document's byline, date lines, dateline and transcript labels: read into metadata, never claims."""

from __future__ import annotations

from datetime import date

import pytest

from factledger.ingest.metadata import DocumentMetadata, read_metadata
from factledger.ingest.pipeline import extract
from factledger.ingest.reader import SourceDocument, parse_text

pytestmark = pytest.mark.unit

PROSE = "The harbour board approved a $30 million sea wall on Tuesday, officials said."


def metadata_of(text: str, published: date | None = None) -> DocumentMetadata:
    return read_metadata(SourceDocument(title="Headline", body=text, published=published))


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By Jane Doe", "Jane Doe"),
        ("BY JANE DOE", "JANE DOE"),
        ("By Jane Doe, Health Reporter", "Jane Doe"),
        ("By Jane Doe | Metro Desk", "Jane Doe"),
        ("By Jane Doe and Ravi Shah", "Jane Doe and Ravi Shah"),
        ("By Maria de la Cruz", "Maria de la Cruz"),
    ],
)
def test_bylines(line: str, author: str) -> None:
    found = metadata_of(f"{line}\n\n{PROSE}")
    assert found.author == author
    assert found.spans == ((0, len(line)),)


@pytest.mark.parametrize(
    "line",
    [
        "Published March 3, 2025",
        "Published: 3 March 2025",
        "Published on Monday, March 3, 2025 at 9:15 a.m.",
        "Updated 3 March 2025, 18:02 GMT",
        "March 3, 2025",
        "Monday 3 March 2025",
    ],
)
def test_published_and_date_lines(line: str) -> None:
    found = metadata_of(f"{line}\n{PROSE}")
    assert found.published == date(2025, 3, 3)
    assert found.spans == ((0, len(line)),)


def test_a_date_line_and_a_byline_joined_by_a_bar() -> None:
    found = metadata_of(f"Published March 3, 2025 | By Jane Doe\n\n{PROSE}")
    assert (found.published, found.author) == (date(2025, 3, 3), "Jane Doe")


def test_a_sentence_holding_a_date_is_prose_not_a_date_line() -> None:
    found = metadata_of("On March 3, 2025 the harbour board approved a sea wall.\n\nMore text follows here.")
    assert (found.published, found.spans) == (None, ())


def test_the_documents_own_date_wins_over_a_date_line() -> None:
    found = metadata_of(f"March 3, 2025\n\n{PROSE}", published=date(2025, 3, 4))
    assert found.published == date(2025, 3, 4)


@pytest.mark.parametrize(
    ("opening", "place"),
    [
        ("PORTSMOUTH, March 3 (Coastwire) - ", "Portsmouth"),
        ("NEW HAVEN — ", "New Haven"),
        ("Lisbon, March 3 (Wire) - ", "Lisbon"),
        ("ST. CLAIR (AP) -- ", "St. Clair"),
    ],
)
def test_datelines(opening: str, place: str) -> None:
    found = metadata_of(f"By Jane Doe\n\n{opening}{PROSE}")
    assert found.place == place
    assert found.prose.split("\n\n")[1].strip() == PROSE


def test_a_capitalised_word_before_a_dash_is_not_a_dateline() -> None:
    found = metadata_of("Officials - and residents - agreed on a plan.\n\nThe end.")
    assert (found.place, found.spans) == (None, ())


def test_wire_credits_anywhere_are_metadata() -> None:
    found = metadata_of(f"{PROSE}\n\n(Reporting by Ana Lima; Editing by Tom Hart)")
    assert found.author == "Ana Lima"
    assert "Reporting" not in found.prose


def test_a_byline_wins_over_a_credit() -> None:
    found = metadata_of(f"By Jane Doe\n\n{PROSE}\n\nReporting by Ana Lima")
    assert found.author == "Jane Doe"


def test_transcript_labels_need_two_turns() -> None:
    single = metadata_of(f"NOTE: this story was updated.\n\n{PROSE}")
    assert single.turns == ()
    transcript = metadata_of("HOST: Why now?\n\nLUND: We ran out of money in May.\n\nHOST: And next?")
    assert [turn.label for turn in transcript.turns] == ["HOST", "LUND", "HOST"]
    assert "LUND:" not in transcript.prose


def test_prose_keeps_every_offset() -> None:
    body = f"By Jane Doe\nPublished March 3, 2025\n\nLISBON (Wire) - {PROSE}"
    found = metadata_of(body)
    assert len(found.prose) == len(body)
    start = found.prose.index("The harbour")
    assert body[start : start + len(PROSE)] == PROSE


def test_a_byline_the_reader_took_for_a_headline_is_the_author() -> None:
    document = parse_text(f"By Jane Doe\n\n{PROSE}", title=None, fmt="text")
    found = read_metadata(document)
    assert (found.title, found.author) == ("", "Jane Doe")


def test_metadata_lines_never_become_claims_and_date_the_claims() -> None:
    document = parse_text(
        "Sea wall approved\n\nBy Jane Doe\nPublished Thursday, March 6, 2025\n\n"
        f"HARBOURTON, March 6 (Coastwire) - {PROSE}",
        title=None,
        fmt="text",
    )
    extraction = extract(document, min_score=0.0)
    assert [candidate.text for candidate in extraction.candidates] == [PROSE]
    [claim] = extraction.candidates
    assert document.body[claim.start : claim.end] == PROSE
    assert claim.dates == ["2025-03-04"]
    assert (extraction.metadata.title, extraction.metadata.place) == ("Sea wall approved", "Harbourton")


@pytest.mark.parametrize(
    "opening",
    ["By Monday, officials had left the town", "By The Numbers", "By Then Everyone Knew", "By Jane Doe."],
)
def test_a_sentence_opening_with_by_is_not_a_byline(opening: str) -> None:
    found = metadata_of(f"{opening}\n\n{PROSE}")
    assert (found.author, found.spans) == (None, ())


def test_newsroom_labels_are_not_speakers() -> None:
    found = metadata_of(
        f"UPDATE: the vote was moved.\n\n{PROSE}\n\nCORRECTION: an earlier version misspelt a name."
    )
    assert found.turns == ()


@pytest.mark.parametrize(
    ("line", "author"),
    [
        # A magazine interview credits its interviewer so; the line was read as prose, and the
        # "Published" line under it was then kept as a claim.
        ("Interview by Sophie Larkin", "Sophie Larkin"),
        ("Words by Tomasz Nowak", "Tomasz Nowak"),
        ("Story by Ada Obi | Features", "Ada Obi"),
    ],
)
def test_bylines_naming_what_the_author_did(line: str, author: str) -> None:
    found = metadata_of(f"{line}\nPublished 2 September 2025\n\n{PROSE}")
    assert (found.author, found.published) == (author, date(2025, 9, 2))


def test_an_interview_opening_a_sentence_is_not_a_byline() -> None:
    found = metadata_of(f"Interview by interview, the panel heard 40 witnesses.\n\n{PROSE}")
    assert found.author is None


@pytest.mark.parametrize(
    ("dateline", "today", "published"),
    [
        # A wire brief filed "June 12" and read in December is this year's.
        ("OSLO, June 12 (Nordwire) - ", date(2026, 12, 6), date(2026, 6, 12)),
        # Read in January, a December dateline is last year's, never a day still to come.
        ("OSLO, Dec. 30 (Nordwire) - ", date(2027, 1, 2), date(2026, 12, 30)),
        # A dateline that writes its year needs no guess.
        ("OSLO, Dec. 30, 2024 (Nordwire) - ", date(2027, 1, 2), date(2024, 12, 30)),
    ],
)
def test_a_dateline_dates_a_document_that_has_no_better_date(
    dateline: str, today: date, published: date
) -> None:
    document = SourceDocument(title="Headline", body=dateline + PROSE, published=None)
    assert read_metadata(document, today=today).published == published


def test_a_published_line_outranks_a_year_less_dateline() -> None:
    body = f"Published March 3, 2025\n\nOSLO, March 2 (Nordwire) - {PROSE}"
    document = SourceDocument(title="Headline", body=body, published=None)
    assert read_metadata(document, today=date(2026, 12, 6)).published == date(2025, 3, 3)
