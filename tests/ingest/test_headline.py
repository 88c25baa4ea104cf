"""A headline fills the Document's title and may be a claim, but only linked as the headline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from factledger.ingest.pipeline import extract
from factledger.ingest.reader import SourceDocument, parse_text, read_document

pytestmark = pytest.mark.unit

BODY = (
    "By Ada Obi\nPublished May 6, 2025\n\n"
    "Kelso Foods will close its Dundee bakery in September, the company said on Monday.\n\n"
    "Sales of its bread fell 12% in 2024, according to its annual accounts."
)


def document(title: str, body: str = BODY) -> SourceDocument:
    return SourceDocument(title=title, body=body, published=date(2025, 5, 6))


def test_a_check_worthy_headline_is_a_candidate_with_offsets_in_the_title() -> None:
    title = "Kelso Foods to cut 400 jobs at Dundee bakery after 12% fall in sales"
    found = extract(document(title), min_score=0.0)
    assert found.headline is not None
    assert found.headline.text == title
    assert title[found.headline.start : found.headline.end] == title
    assert "headline" in found.headline.reasons
    # Never among the body's candidates, whose offsets are in the body.
    assert all(candidate.text != title for candidate in found.candidates)
    assert all(BODY[c.start : c.end] == c.text for c in found.candidates)


def test_a_headline_below_the_threshold_is_only_the_title() -> None:
    found = extract(document("Bakery news"), min_score=0.3)
    assert found.headline is None
    assert found.metadata.title == "Bakery news"


def test_a_headline_that_is_an_opinion_is_not_a_claim() -> None:
    # A verdict in quotation marks is an opinion in a headline as in the body.
    found = extract(document("“Closing the bakery is a mistake,” says union chief"), min_score=0.0)
    assert found.headline is None


def test_the_headline_repeated_as_the_first_line_of_the_body_is_not_a_body_claim() -> None:
    # Markdown and some pages repeat the title as the first line; it was a body claim besides the title.
    title = "Kelso Foods to cut 400 jobs at Dundee bakery"
    found = extract(document(title, f"{title}.\n\n{BODY}"), min_score=0.0)
    assert found.headline is not None
    assert not any(candidate.text.startswith("Kelso Foods to cut") for candidate in found.candidates)


def test_a_headline_names_its_speaker_only_when_it_names_one() -> None:
    named = extract(document("Kelso Foods says it will cut 400 jobs in Dundee"), min_score=0.0).headline
    assert named is not None
    assert (named.speaker, named.speaker_kind) == ("Kelso Foods", "organisation")
    # "says union chief": a role, not a name; the body names the person.
    role = extract(document("400 bakery jobs at risk in Dundee, says union chief"), min_score=0.0).headline
    assert role is not None
    assert role.speaker is None


def test_the_reader_takes_a_plain_first_line_as_the_headline() -> None:
    parsed = parse_text(f"Kelso Foods to cut 400 jobs\n\n{BODY}", title=None, fmt="text")
    assert parsed.title == "Kelso Foods to cut 400 jobs"
    assert "Kelso Foods to cut 400 jobs" not in parsed.body


def test_a_title_made_from_the_file_name_is_not_a_headline(tmp_path: Path) -> None:
    # "2025-05-06-kelso-foods-cuts-400-jobs.txt" names the file; it was stored as a headline claim.
    path = tmp_path / "2025-05-06-kelso-foods-cuts-400-jobs.txt"
    path.write_text(
        "Kelso Foods will close its Dundee bakery in September, the company said.\n", encoding="utf-8"
    )
    source = read_document(path)
    assert source.title == "Kelso Foods Cuts 400 Jobs"
    assert extract(source, min_score=0.0).headline is None
