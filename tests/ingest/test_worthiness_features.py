"""The check-worthiness model's features: visible cues, folded words and pairs, word fragments."""

from __future__ import annotations

from datetime import date

import pytest

from factledger.ingest.dates import find_dates
from factledger.ingest.speakers import find_attribution
from factledger.ingest.worthiness import features
from factledger.ingest.worthiness.features import ANY_DAY, extract_features, word_fragments, word_pairs

pytestmark = pytest.mark.unit


def cues(sentence: str) -> set[str]:
    return set(extract_features(sentence).cues)


def test_figures_are_quantities_and_digits_are_folded() -> None:
    features = extract_features("Turnout fell to 41.5% and the fund paid $2,500 to 120 families.")
    assert {"f:quantity:percent", "f:quantity:money", "f:quantity:number"} <= set(features.cues)
    assert "00.0" in features.words
    assert "0,000" in features.words
    assert not any(ch.isdigit() and ch != "0" for word in features.words for ch in word)


def test_numbers_inside_dates_are_dates_not_quantities() -> None:
    found = cues("The meeting took place on February 18, 2023 in Munich.")
    assert {"f:date", "f:day"} <= found
    assert not any(name.startswith("f:quantity") for name in found)


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        ("Blinken met Aliyev in Munich.", "f:person"),
        ("In a statement, O’Brien noted that “We’ve made clear that nothing will be normal.”", "f:quote"),
        ("The minister said the talks had failed.", "f:reported"),
        ("Unemployment is lower than it was in the last decade.", "f:comparison"),
        ("It is the highest rate ever recorded.", "f:superlative"),
        ("I think the talks were a failure.", "f:opinion"),
        ("Perhaps the treaty will be signed.", "f:hedge"),
        ("Will Azerbaijan really sign the treaty?", "f:question"),
        ("We must do better.", "f:obligation"),
    ],
)
def test_visible_cues(sentence: str, cue: str) -> None:
    assert cue in cues(sentence)


def test_opinion_words_inside_a_quotation_are_not_the_speakers_opinion() -> None:
    quoted = cues("Blinken said: “I think it is obvious that we are close to an agreement.”")
    assert "f:quote" in quoted
    assert "f:opinion" not in quoted
    assert "f:opinion" in cues("I think it is obvious that Blinken is close to an agreement.")


def test_scare_quotes_are_not_a_direct_quote() -> None:
    assert "f:quote" not in cues("Washington has canceled “high level” visits.")


def test_length_is_bucketed() -> None:
    assert "f:length: under 5 words" in cues("Thank you.")
    assert "f:length: 20 words or more" in cues(" ".join(["word"] * 25) + ".")


def test_counts_hold_every_feature_once_and_fragments_per_distinct_word() -> None:
    features = extract_features("The tax cut, the tax cut again.")
    counts = features.counts()
    assert counts["w:tax"] == 1
    assert counts["b:tax cut"] == 1  # a repeated pair is still one feature
    assert counts["c: ta"] == 1  # "tax" twice is one distinct word
    assert counts["c:he "] == 1
    assert extract_features("A cut and more cuts.").counts()["c: cu"] == 2  # two distinct words share it
    assert set(features.cues) <= set(counts)
    assert word_pairs(["the", "tax", "the", "tax"]) == ["b:the tax", "b:tax the"]


def test_fragments_are_three_to_five_letters_with_word_boundaries() -> None:
    fragments = word_fragments("cut")
    assert fragments == ("c: cu", "c:cut", "c:ut ", "c: cut", "c:cut ", "c: cut ")


def test_a_known_attribution_gives_the_same_features_as_finding_it() -> None:
    sentence = "The minister said the fund received €2,500 from 14 donors on Monday."
    assert extract_features(sentence) == extract_features(sentence, find_attribution(sentence))


# Year-less days, weekdays, "yesterday", lone months, relative years and figures next to dates: the kinds a
# publication day anchors, so the ones where the pipeline's reading could differ from the model's own.
DATED = [
    "The talks were held on February 18 in Munich, after 3 rounds.",
    "On Tuesday the ministry said prices rose 4% since last year.",
    "Yesterday the council approved a $2 million budget for March.",
    "The plant will open in August, two months to September 2027 later.",
    "Between May 1-4 and on June 27 the envoys met 12 times.",
    "Turnout was 61.5% in the vote of 12 May 2024, down from 2019.",
    "Next year the fund doubles, and in the first quarter of 2026 it pays out.",
]


@pytest.mark.parametrize("sentence", DATED)
@pytest.mark.parametrize("published", [date(2024, 1, 14), date(2019, 12, 31), date(2023, 3, 1)])
def test_the_pipelines_dates_give_the_same_features_as_finding_them(sentence: str, published: date) -> None:
    # The pipeline hands over what it read against the document's publication day (and the "last year"
    # of an earlier sentence); the model reads against ANY_DAY in training. The features must agree.
    own = extract_features(sentence)
    for context in ("", "last year"):
        handed = extract_features(sentence, dates=find_dates(sentence, published, context))
        assert handed == own, (sentence, published, context)
    assert own.cues.get("f:date") == "date"
    assert find_dates(sentence, ANY_DAY)  # every sentence above has a date for the model to see


# Every alternative of the patterns that skip a sentence without their needed words (features
# ._NEEDED_WORDS), in both cases where the pattern is case-sensitive.
EVERY_ALTERNATIVE = """
Ten million, a billion, a trillion, a thousand, thousands, a hundred, hundreds, a dozen, dozens, half, a third,
a quarter, twice, double, doubled, doubles, triple, tripled, triples, percent, the majority, the average.
The highest, the lowest, largest, smallest, biggest, greatest, worst, best, most, least, fastest, a record, the
first time, ever, never before, the only country, only nation, only one, only time.
One can conclude, we can conclude, it can be concluded, it seems, this seemed, it appears, it appeared, this
speaks to, speaks to the fact, this shows that, this means that, this suggests that, this indicates that, this
proves that, in my opinion, in my view, I think, I believe, I feel, we believe, it is obvious, it is clear, it
is evident, obviously, undoubtedly, no doubt, of course.
We should, must, ought to, need to, have to, has to, got to. It will, going to, gonna, I'll, we'll, I’ll, we’ll.
No less important, more relevant, less interesting, very significant, most remarkable, extremely positive,
quite negative, highly worrying, particularly encouraging.
Some sources, there was information, there is information, there were information, not much information, many
believe, it is said, somewhat, rather.
I, me, my, We, we, us, Our, our, you, your.
They met, held, took place, signed, announced, canceled, cancelled, stopped, refused, invaded, attacked, raised,
elected, appointed, killed, arrested, launched, approved, passed, voted, accepted, denied, rejected, created,
lost, spent, cost, increased, decreased, doubled, cut, tripled, fell, rose.
It might, may, could, can, would; perhaps, Maybe, POSSIBLY, probably, likely, unlikely, seemingly, apparently,
presumably, arguably, supposedly.
"""
# Every alternative of the comparison pattern, which needs "than" or a word opening with one of its stems.
EVERY_COMPARISON = """
more than, less than, fewer than, higher than, lower than, larger than, smaller than, bigger than, greater
than, faster than, slower than, increased, decreasing, doubled, tripling, cuts, raised, lowered, reduced, grew,
growing, fell, falling, dropped, rose, rising
"""


def test_every_match_of_a_skippable_pattern_holds_one_of_its_needed_words() -> None:
    for text in (EVERY_ALTERNATIVE, EVERY_ALTERNATIVE.lower()):
        for pattern, needed in features._NEEDED_WORDS.items():
            matches = [match.group(0) for match in pattern.finditer(text)]
            assert matches, pattern.pattern
            for matched in matches:
                runs = set(features._RUN.findall(matched))
                if pattern is features._HEDGE:  # its adverbs are caseless: looked up lowercased (_may_hedge)
                    runs |= set(features._RUN.findall(matched.lower()))
                assert not needed.isdisjoint(runs), (pattern.pattern, matched)
    # Each alternative is in the text: the patterns' cues fire as often with the skip as without it.
    assert len(features._NEEDED_WORDS[features._PAST_EVENT]) == len(
        list(features._PAST_EVENT.finditer(EVERY_ALTERNATIVE.split("They ", 1)[1]))
    )


def test_every_comparison_holds_than_or_a_word_opening_with_a_stem() -> None:
    matches = [match.group(0) for match in features._COMPARISON.finditer(EVERY_COMPARISON)]
    assert len(matches) == 26
    for matched in matches:
        runs = features._RUN.findall(matched)
        assert "than" in runs or any(run.startswith(features._COMPARISON_STEMS) for run in runs), matched
