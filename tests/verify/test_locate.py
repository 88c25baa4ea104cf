"""locate_quote: exact, elided, fuzzy, and the hard differences that keep altered quotes out of "found"."""

from __future__ import annotations

import random
import time

import pytest

from factledger.ledger.statuses import QuoteStatus
from factledger.verify.locate import (
    FUZZY_THRESHOLD,
    _marks_tolerant,
    _may_hold_with_marks,
    locate_quote,
)
from factledger.verify.normalize import normalize_for_matching

pytestmark = pytest.mark.unit

FOUND, FUZZY, MISSING = QuoteStatus.FOUND, QuoteStatus.FUZZY, QuoteStatus.MISSING

TEXT = (
    "The minister said on Tuesday that \u201cwe will not raise taxes in 2023,\u201d adding that the reform "
    "would cost $11.5 million.\nCritics said the plan was a significant step backwards for the country, "
    "its economy and its people, and that it isn\u2019t fair to families who did nothing wrong. "
    "The union supports the proposal."
)


def test_exact_after_normalization_gives_original_offsets() -> None:
    match = locate_quote('"We will NOT raise taxes in 2023"', TEXT)
    assert (match.status, match.score) == (FOUND, 1.0)
    assert match.start is not None
    assert match.end is not None
    assert TEXT[match.start : match.end] == "we will not raise taxes in 2023"
    assert match.differences == ()
    assert match.pieces == ()


def test_normalized_text_can_be_passed_once_for_many_quotes() -> None:
    normalized = normalize_for_matching(TEXT)
    assert locate_quote("the reform would cost $11.5 million", normalized) == locate_quote(
        "the reform would cost $11.5 million", TEXT
    )


def test_a_match_never_starts_or_ends_inside_a_word() -> None:
    assert locate_quote("the plan was a significant step", TEXT).status == FOUND
    assert locate_quote("plan was a significant st", TEXT).status != FOUND


@pytest.mark.parametrize(
    ("quote", "message"),
    [
        ("we will raise taxes in 2023", "negation differs: quote has 'will', source has 'will not'"),
        ("we will not raise taxes in 2022", "number differs: quote has '2022', source has '2023'"),
        ("the reform would cost $1.5 million", "number differs: quote has '1.5', source has '11.5'"),
        (
            "Critics said the plan was a significant step backwards for the country, its economy and its people, "
            "and that it is fair to families",
            "negation differs: quote has 'is', source has 'isn't'",
        ),
        (
            "Critics said the plan was a significant step backwards for the country, its economy and its people, "
            "and that it isn't fair to families who did something wrong",
            "negation differs: quote has 'something', source has 'nothing'",
        ),
        ("The union opposes the proposal.", "meaning reversed: quote has 'opposes', source has 'supports'"),
    ],
)
def test_negations_numbers_and_opposites_are_hard_mismatches(quote: str, message: str) -> None:
    match = locate_quote(quote, TEXT)
    assert match.status == MISSING
    assert match.score == 0.0  # a reversal scores nothing, however close the characters are
    assert match.start is None
    assert match.end is None
    assert match.differences[0] == message
    assert match.nearest is not None


@pytest.mark.parametrize(
    ("source", "quote"),
    [
        ("We will not sell the company.", "We will sell the company."),
        ("We will sell the company.", "We will not sell the company."),
        ("I did not see the letter before it was sent.", "I did see the letter before it was sent."),
        ("I never saw the letter before it was sent.", "I did see the letter before it was sent."),
        ("The bridge is not safe for heavy lorries.", "The bridge is safe for heavy lorries."),
        ("The bridge isn't safe for heavy lorries.", "The bridge is safe for heavy lorries."),
        ("We will not", "We will"),
        ("Officials said we will not sell the company", "Officials said we will"),
        ("This is not the report we asked the auditors for", "the report we asked the auditors for"),
    ],
)
def test_will_to_will_not_is_never_found_nor_fuzzy(source: str, quote: str) -> None:
    match = locate_quote(quote, source)
    assert match.status == MISSING, match
    assert any(d.startswith("negation differs") for d in match.differences)


def test_one_changed_word_in_a_long_quote_is_fuzzy_with_the_difference() -> None:
    quote = (
        "Critics said the plan was a substantial step backwards for the country, its economy and its people, "
        "and that it isn't fair to families who did nothing wrong."
    )
    match = locate_quote(quote, TEXT)
    assert match.status == FUZZY
    assert FUZZY_THRESHOLD <= match.score < 1.0
    assert match.differences == ("quote has 'substantial', source has 'significant'",)
    assert match.start is not None
    assert match.end is not None
    assert TEXT[match.start : match.end].startswith("Critics said")
    assert TEXT[match.start : match.end].endswith("nothing wrong")  # the quote's own full stop is dropped


def test_a_changed_word_in_a_short_quote_is_missing() -> None:
    match = locate_quote("the plan was a huge step", TEXT)
    assert match.status == MISSING
    assert match.score < FUZZY_THRESHOLD


def test_absent_and_empty_quotes_are_missing() -> None:
    assert locate_quote("completely unrelated words about gardening", TEXT).status == MISSING
    empty = locate_quote(" … ", TEXT)
    assert empty.status == MISSING
    assert empty.differences == ("the quote has no words to look for",)


@pytest.mark.parametrize("ellipsis", ["…", "...", "[…]", "[...]", "(...)"])
def test_elided_quotes_match_piece_by_piece_in_order(ellipsis: str) -> None:
    match = locate_quote(f"we will not raise taxes {ellipsis} a significant step backwards", TEXT)
    assert match.status == FOUND
    assert len(match.pieces) == 2
    assert all(p.status == FOUND for p in match.pieces)
    assert match.start is not None
    assert match.end is not None
    assert TEXT[match.start : match.end].startswith("we will not raise taxes")
    assert TEXT[match.start : match.end].endswith("a significant step backwards")
    assert match.pieces[0].end is not None
    assert match.pieces[1].start is not None
    assert match.pieces[0].end <= match.pieces[1].start


def test_elided_pieces_out_of_order_are_missing() -> None:
    match = locate_quote("a significant step backwards … we will not raise taxes", TEXT)
    assert match.status == MISSING
    assert [p.status for p in match.pieces] == [FOUND, MISSING]
    assert match.differences == ("piece 2 ('we will not raise taxes'): not found",)


def test_an_elided_quote_is_as_good_as_its_weakest_piece() -> None:
    flipped = locate_quote("we will raise taxes in 2023 … a significant step backwards", TEXT)
    assert flipped.status == MISSING
    assert "negation differs" in flipped.differences[0]
    long_piece = (
        "Critics said the plan was a substantial step backwards for the country, its economy and its people"
    )
    fuzzy = locate_quote(f"we will not raise taxes … {long_piece}", TEXT)
    assert fuzzy.status == FUZZY
    assert [p.status for p in fuzzy.pieces] == [FOUND, FUZZY]
    assert fuzzy.score == fuzzy.pieces[1].score


def test_quotation_marks_and_footnote_markers_are_not_wording() -> None:
    source = 'The auditor said the figures "simply do not add up",[3] and resigned.'
    match = locate_quote("the figures simply do not add up, and resigned", source)
    assert match.status == FOUND
    assert match.start is not None
    assert match.end is not None
    assert source[match.start : match.end] == 'the figures "simply do not add up",[3] and resigned'


def test_a_quote_is_found_across_marks_wherever_they_sit() -> None:
    """The cheap test that spares compiling the marks-tolerant pattern never rules out a real match:
    quotation marks, footnote markers (any digits) and brackets at every junction of a quote."""
    rng = random.Random(7)
    words = ["the", "figures", "“simply", "do", "not", "add", "up,”", "[a]", "said", "Łódź", "١٢"]
    marks = ["", "", '"', "[3]", "[١٢]", " “", "” ", "[12]”", "[x]"]
    for _ in range(300):
        picked = rng.sample(words, rng.randint(3, 6))
        source_words = [word + rng.choice(marks) for word in picked]
        source = "Before that, " + " ".join(source_words) + " and after."
        quote = " ".join(picked).replace("“", "").replace("”", "")
        hay = normalize_for_matching(source).text
        expected = _marks_tolerant(tuple(normalize_for_matching(quote).text.split())).search(hay)
        words_of_quote = normalize_for_matching(quote).text.split()
        assert expected is None or _may_hold_with_marks(words_of_quote, hay), (quote, source)
        if expected is not None and "[" not in quote:
            assert locate_quote(quote, source).status == FOUND, (quote, source)
    assert not _may_hold_with_marks(["figures", "simply", "add", "up"], 'the figures "simply do not add up"')


def test_an_escaped_entity_in_a_quote_is_literal_text() -> None:
    # The extractor decodes entities; a quote that still says "&amp;" does not match "&" exactly.
    assert locate_quote("AT&T said profits rose", "AT&T said profits rose 4%").status == FOUND
    assert locate_quote("AT&amp;T said profits rose", "AT&T said profits rose 4%").status != FOUND


def test_cjk_quotes_match_without_word_spaces() -> None:
    source = "国家统计局表示，今年第一季度国内生产总值同比增长5.3%，经济运行开局良好。"
    match = locate_quote("国内生产总值同比增长5.3%", source)
    assert match.status == FOUND
    assert match.start is not None
    assert match.end is not None
    assert source[match.start : match.end] == "国内生产总值同比增长5.3%"


def test_locating_in_a_200_kb_text_is_fast() -> None:
    """Not a timed assertion (benchmarks live in tests/bench); prints what it took, for the record."""
    rng = random.Random(3)
    vocabulary = [
        f"{rng.choice('bcdfghklmnprstvw')}{rng.choice('aeiou')}{rng.choice('ndrstlm')}" for _ in range(600)
    ]
    vocabulary += ["the", "and", "of", "to", "in", "a", "is", "that"] * 40
    text = "\n".join(" ".join(rng.choice(vocabulary) for _ in range(70)) for _ in range(800))
    assert len(text) >= 200_000
    normalized = normalize_for_matching(text)
    words = normalized.text[120_000:].split(" ")[1:41]
    exact = " ".join(words)
    edited = " ".join([*words[:20], "substantially", *words[21:]])
    absent = " ".join(rng.choice(vocabulary) for _ in range(40))
    timings = {}
    for name, quote, expected in [
        ("exact", exact, FOUND),
        ("fuzzy", edited, FUZZY),
        ("absent", absent, MISSING),
    ]:
        began = time.perf_counter()
        match = locate_quote(quote, normalized)
        timings[name] = (time.perf_counter() - began) * 1000
        assert match.status == expected, name
    print(f"locate in {len(text)} chars: " + ", ".join(f"{k} {v:.2f} ms" for k, v in timings.items()))
