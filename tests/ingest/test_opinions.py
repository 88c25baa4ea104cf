"""Quoted opinions: the three shapes kept out of claims, and the quotations that must stay claims."""

from __future__ import annotations

import pytest

from factledger.ingest.opinions import opinion_of, quoted_opinion
from factledger.ingest.speakers import find_quotes

pytestmark = pytest.mark.unit


def opinion(sentence: str) -> str | None:
    return quoted_opinion(sentence, find_quotes(sentence))


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("“I think the whole plan is a mistake,” said Owen Price.", "belief"),
        ('"We feel abandoned by everyone," one parent said.', "belief"),
        ("“There is no doubt in my mind that it was deliberate,” she said.", "belief"),
        ('The opposition leader called the budget "a gift to the rich."', "label"),
        ("Critics described the deal as ‘a surrender’.", "label"),
        ('"It\'s a disgrace and nobody cares," said Mia Torres, who lives nearby.', "voice of the public"),
        ("‘They took everything from us,’ said one of the shopkeepers, Raj Patel.", "voice of the public"),
    ],
)
def test_quoted_opinions(sentence: str, why: str) -> None:
    assert opinion(sentence) == why


@pytest.mark.parametrize(
    "sentence",
    [
        # Something checkable in the quotation: a number, a name.
        "“We treated 300 patients in a week,” said Maria Lenz, who runs the clinic.",
        "“I think the Harbour Authority approved it in secret,” said Owen Price.",
        # A speaker with a title, an office or an organisation.
        "“The repairs are finished,” said Mayor Ana Cole.",
        "“The repairs are finished,” the transport agency said.",
        "“Demand is clearly weakening,” said Dana Ross, an economist at Northgate Bank.",
        # More than a quotation and who said it.
        "The council, which met on Tuesday, heard residents say “the road is dangerous” before it voted.",
        # No quotation at all.
        "The council voted 7-2 to close the road.",
    ],
)
def test_quotations_that_stay_claims(sentence: str) -> None:
    assert opinion(sentence) is None


def reported(sentence: str) -> str | None:
    return opinion_of(sentence, find_quotes(sentence))


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        # An expert's quoted verdict holds nothing to check; a title kept these as claims before.
        (
            '"The timetable was always optimistic, and now it is unrealistic," said Prof. Ian Rhee.',
            "judgement",
        ),
        ("“Scrapping the tram line would be a mistake,” the city’s chief planner said.", "judgement"),
        # Reported guesses: the hedge is the content, not a figure.
        ("Sara Lind, an analyst at Nordbank, said the merger would probably collapse.", "hedged forecast"),
        ("Rents may simply keep rising, said Dr. Omar Hale of the Housing Institute.", "hedged forecast"),
        ("A ceasefire is unlikely before the winter, diplomats say.", "hedged forecast"),
        # Reported feelings.
        ("Shop owners on the high street said they were relieved.", "feeling"),
        ("Nurses told reporters they felt deeply frustrated.", "feeling"),
    ],
)
def test_reported_and_expert_opinions(sentence: str, why: str) -> None:
    assert reported(sentence) == why


@pytest.mark.parametrize(
    "sentence",
    [
        # A forecast with its figure is checkable later, and "would" alone is reported speech's future.
        "The carmaker said it could cut up to 1,200 jobs.",
        "Senator Ruth Ames said she would table the bill next week.",
        # A hedge in the narrator's own sentence is the scorer's to weigh, not a reported opinion.
        "The bridge may reopen in spring.",
        # Describing words that are not verdicts.
        "“The bridge is closed to lorries,” the council said.",
        "The study was observational and cannot show cause, he said.",
    ],
)
def test_claims_that_are_not_reported_opinions(sentence: str) -> None:
    assert reported(sentence) is None


def test_a_reported_verdict_is_a_judgement() -> None:
    # The verdict without quotation marks is the same opinion as with them.
    assert reported("Ella Moss, whose son boards at the school, said the decision was unfair.") == "judgement"
