"""Speakers and quotations: the patterns of the sample article and the common ones of news prose."""

from __future__ import annotations

import pytest

from factledger.ingest.speakers import find_attribution, find_quotes

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("During the conference Blinken noted that significant progress has been made.", "Blinken"),
        ("The Ministry stated that the talks would resume.", "The Ministry"),
        (
            "Officials met, and the Ministry of Foreign Affairs stated that talks would resume.",
            "the Ministry of Foreign Affairs",
        ),
        ("Power announced $11.5 million in humanitarian assistance.", "Power"),
        ("During her visit Power announced $11.5 million in humanitarian assistance.", "Power"),
        (
            "Armenian Ambassador-at-large Edmon Marukyan recently announced that a meeting is agreed.",
            "Edmon Marukyan",
        ),
        ("Baku, in its turn, claims that the two sides have not yet reached an agreement.", "Baku"),
        ("Samantha Power, the USAID director, declared that aid would continue.", "Samantha Power"),
        ("Similar messages were reiterated by Power during her visits.", "Power"),
        ("According to some sources, it was Blinken who said that during his meeting.", "Blinken"),
        ("The news was later denied by the State Department.", "the State Department"),
        ("According to the Foreign Ministry, the meeting was cancelled.", "the Foreign Ministry"),
        ("Mr. Smith told reporters that the deal was done.", "Mr. Smith"),
        ("Sullivan emphasized the importance of the process.", "Sullivan"),
        ("Later, the president said the talks were over.", "the president"),
    ],
)
def test_speaker_as_written(sentence: str, speaker: str) -> None:
    attribution = find_attribution(sentence)
    assert attribution is not None
    assert attribution.speaker == speaker


def test_job_title_is_split_from_the_name() -> None:
    attribution = find_attribution("US Assistant Secretary of State James O’Brien said the aid was stopped.")
    assert attribution is not None
    assert attribution.speaker == "James O’Brien"
    assert attribution.role == "US Assistant Secretary of State"
    assert attribution.cue == "said"


def test_noted_that_with_a_curly_quotation() -> None:
    sentence = (
        "In a statement, O’Brien noted that “We’ve made clear that nothing will be normal,” adding that "
        "Washington has canceled “high level visits” and stopped aid."
    )
    attribution = find_attribution(sentence)
    assert attribution is not None
    assert attribution.speaker == "O’Brien"
    # The first quotation after the verb is the statement; the later scare quote is not.
    assert attribution.quote == "We’ve made clear that nothing will be normal,"


def test_statement_noun_pattern_captures_the_quote() -> None:
    sentence = (
        "While summarizing the results of the meeting, Blinken made a remarkable statement that the "
        "parties are “really within reach of an agreement.”"
    )
    attribution = find_attribution(sentence)
    assert attribution is not None
    assert (attribution.speaker, attribution.quote) == ("Blinken", "really within reach of an agreement.")
    assert attribution.cue == "made a remarkable statement"


def test_possessive_statements_followed_by_a_quotation() -> None:
    sentence = "Blinken’s statements after this meeting were quite interesting as well: “I think so. Yes.”"
    attribution = find_attribution(sentence)
    assert attribution is not None
    assert (attribution.speaker, attribution.quote) == ("Blinken", "I think so. Yes.")


def test_possessive_letter_names_its_author() -> None:
    sentence = (
        "In addition, Power personally conveyed President Joe Biden’s letter, wherein the president "
        "expressed support to “Armenia’s pursuit of a dignified and durable regional peace.”"
    )
    attribution = find_attribution(sentence)
    assert attribution is not None
    assert (attribution.speaker, attribution.role) == ("Joe Biden", "President")
    assert attribution.quote == "Armenia’s pursuit of a dignified and durable regional peace."


@pytest.mark.parametrize(
    ("sentence", "speaker", "role"),
    [
        ("“We are ready to sign,” Mirzoyan said.", "Mirzoyan", None),
        (
            "“We are ready to sign,” said Foreign Minister Ararat Mirzoyan.",
            "Ararat Mirzoyan",
            "Foreign Minister",
        ),
        ('"We are ready to sign," said Jeyhun Bayramov on Monday.', "Jeyhun Bayramov", None),
    ],
)
def test_quotation_before_the_speaker(sentence: str, speaker: str, role: str | None) -> None:
    attribution = find_attribution(sentence)
    assert attribution is not None
    assert (attribution.speaker, attribution.role, attribution.quote) == (
        speaker,
        role,
        "We are ready to sign,",
    )


def test_inverted_verb_needs_a_named_speaker() -> None:
    assert find_attribution("“We are ready to sign,” said the man in the hat.") is None


def test_straight_quotes() -> None:
    attribution = find_attribution('The minister said "we will sign the treaty" on Monday.')
    assert attribution is not None
    assert (attribution.speaker, attribution.quote) == ("The minister", "we will sign the treaty")


@pytest.mark.parametrize(
    "sentence",
    [
        "He said that the talks were over.",
        "They announced a new round of talks.",
        "It seemed that the final version of the contract would be ready soon.",
        "The regulation of Armenian-Turkish relations remains no less important for the USA.",
        # The speech verb is inside the quotation, and the speaker outside it is a pronoun.
        "“Blinken said nothing,” he claimed.",
        "Despite the seemingly positive statements of Blinken, Azerbaijan resorted to force.",
    ],
)
def test_no_named_speaker(sentence: str) -> None:
    assert find_attribution(sentence) is None


def test_find_quotes_offsets_and_unclosed_quotation() -> None:
    sentence = "She said “first” and «second» and “third runs to the end"
    quotes = find_quotes(sentence)
    assert [quote.text for quote in quotes] == ["first", "second", "third runs to the end"]
    assert all(sentence[quote.start : quote.end] == quote.text for quote in quotes)


def test_empty_quotation_is_ignored() -> None:
    assert find_quotes('An empty “” quote and a blank "  " one.') == []


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # A source document's owner is its speaker; it used to come out as "the ministry's latest report".
        ("Exports fell 4% in May, according to the ministry's latest report.", "the ministry"),
        ("Exports fell 4% in May, according to Kelso Foods' annual accounts.", "Kelso Foods"),
        # The publisher named in a clause after the document: was "customs data the agency released".
        ("Exports fell 4% in May, according to customs data the agency released on Friday.", "the agency"),
        # "a statement from" is a document's wrapper like "figures from": was "a statement from the Port".
        (
            "The berth reopened at noon, according to a statement from the Port of Ancona Authority.",
            "the Port of Ancona Authority",
        ),
        # A capitalised body whose name holds a source noun is still a body.
        ("Exports fell 4% in May, according to Statistics Finland.", "Statistics Finland"),
    ],
)
def test_according_to_a_document_names_its_owner(sentence: str, speaker: str) -> None:
    found = find_attribution(sentence)
    assert (found.speaker if found else None) == speaker


@pytest.mark.parametrize(
    "sentence",
    [
        # A document with no author named is nobody a reviewer can ask: was "a survey published".
        "Two in five teachers plan to leave, according to a survey published on Monday.",
        "The mill closed in 1998, according to court records.",
        "Losses reached $3 million, according to accounts filed last week.",
    ],
)
def test_according_to_an_unowned_document_names_nobody(sentence: str) -> None:
    assert find_attribution(sentence) is None


def test_its_report_is_left_for_the_resolver_as_it() -> None:
    # "its" points back to a body named nearby, which only the cross-sentence resolver can see.
    found = find_attribution("Sales rose 9%, according to its quarterly report.", pronouns=True)
    assert (found.speaker if found else None) == "it"
    assert find_attribution("Sales rose 9%, according to its quarterly report.") is None


def test_which_said_names_the_body_the_clause_hangs_on() -> None:
    # Was no speaker at all: the comma before "which" ended the subject search.
    found = find_attribution(
        "The merger needs the approval of the Competition Tribunal, which said it would rule within 60 days."
    )
    assert (found.speaker if found else None) == "the Competition Tribunal"


def test_a_comma_closes_the_phrase_before_a_lowercase_speaker() -> None:
    # Was "the harbour district, police": the words before the comma belong to the other clause.
    found = find_attribution("Two boats were set on fire overnight in the harbour district, police said.")
    assert (found.speaker if found else None) == "police"
