"""What the check-worthiness model sees in a sentence: words, word pairs, word fragments and cues.

One extractor serves training (``training/train_worthiness.py``) and inference (``model.py``), so the
shipped weights always meet the features they were fitted on. A sentence becomes a list of feature
strings, each present once (binary features); prefixes tell the kinds apart:

- ``w:`` a lowercased word, ``b:`` two consecutive words. Digits are folded to ``0`` so that "41.5%" and
  "12.3%" are one feature: the shape of a figure transfers to new text, the figure itself does not.
- ``c:`` a 3- to 5-letter fragment of a word (with its boundaries), which carries morphology
  ("-ed" events, "-est" superlatives) and unseen names' shapes to words the training data never had.
- ``f:`` a visible cue found by the ingest modules and the patterns below (dates, quantities, named
  people, quotations, reported speech, hedges, opinions, questions, sentence length). These are what a
  reviewer recognises, so they are also what the reasons name.

Each feature also has a *label*, the words a reviewer is shown when it counts towards a score: a
fragment is shown as the word it came from, a cue by its name.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass
from datetime import date

from factledger.ingest.dates import DateMention, find_dates
from factledger.ingest.names import find_names, word_set
from factledger.ingest.speakers import Attribution, find_attribution, find_quotes

# Dates are found as if published on this day: only whether a sentence has a date matters here (and where,
# and whether it is a day), not which day it is; a year-less "February 18" is found only when there is a
# day to read it from. Read against any other publication day, ``find_dates`` finds the same mentions with
# the same spans and precisions (the anchor picks the year, not whether there is a date), so the pipeline
# may hand over its own; the one exception is a February 29 whose year the anchor makes a common year.
ANY_DAY = date(2000, 1, 1)
# A quotation this short is usually a scare quote ("high level visits"), not somebody's statement.
MIN_QUOTE_WORDS = 3
FRAGMENT_SIZES = (3, 4, 5)

_WORD = re.compile(r"[^\W_]+(?:['’.,][^\W_]+)*|[$€£¥%]")
_DIGIT = re.compile(r"\d")
_QUANTITY = re.compile(
    r"(?P<money>[$€£¥₽]\s?\d[\d,.]*(?:\s?(?:million|billion|trillion|thousand|bn|m|k)\b)?|\b\d[\d,.]*\s+"
    r"(?:dollars|euros|pounds)\b)"
    r"|(?P<percent>\b\d[\d,.]*\s?(?:%|percent\b|per\s+cent\b))"
    r"|(?P<scaled>\b\d[\d,.]*\s+(?:million|billion|trillion|thousand|hundred)\b)"
    r"|(?P<number>(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w.]))"
)
# The patterns below without a case rule are matched against the lowercased sentence: much cheaper than
# case-insensitive matching, and the same for the English words they name.
_NUMBER_WORD = re.compile(
    r"\b(?:million|billion|trillion|thousands?|hundreds?|dozens?|half|third|quarter|twice|double[ds]?"
    r"|triple[ds]?|percent|majority|average)\b"
)
_COMPARISON = re.compile(
    r"\b(?:more|less|fewer|higher|lower|larger|smaller|bigger|greater|faster|slower)\s+than\b"
    r"|\b(?:increas|decreas|doubl|tripl|cut|rais|lower|reduc|grew|grow|fell|fall|drop|rose|ris)\w*\b"
)
_SUPERLATIVE = re.compile(
    r"\b(?:(?:the\s+)?(?:highest|lowest|largest|smallest|biggest|greatest|worst|best|most|least|fastest)"
    r"|record|first\s+time|ever|never\s+before|only\s+(?:country|nation|one|time))\b"
)
_OPINION = re.compile(
    r"\b(?:one\s+can\s+conclude|we\s+can\s+conclude|it\s+can\s+be\s+concluded|(?:it|this)\s+seem(?:s|ed)"
    r"|it\s+appear(?:s|ed)|this\s+speaks\s+to|speaks\s+to\s+the\s+fact|this\s+(?:shows|means|suggests"
    r"|indicates|proves)\s+that|in\s+my\s+(?:opinion|view)|i\s+(?:think|believe|feel)|we\s+believe"
    r"|it\s+is\s+(?:obvious|clear|evident)|obviously|undoubtedly|no\s+doubt|of\s+course)\b"
)
_OBLIGATION = re.compile(r"\b(?:should|must|ought\s+to|need\s+to|have\s+to|has\s+to|got\s+to)\b")
_FUTURE = re.compile(r"\b(?:will|going\s+to|gonna|i'll|we'll|i’ll|we’ll)\b")
# Modal verbs only in lowercase: "May" is usually the month.
_HEDGE = re.compile(
    r"\b(?:might|may|could|can|would|(?i:perhaps|maybe|possibly|probably|likely|unlikely|seemingly"
    r"|apparently|presumably|arguably|supposedly))\b"
)
_EVALUATION = re.compile(
    r"\b(?:(?:no\s+less|more|less|very|most|extremely|quite|highly|particularly)\s+"
    r"(?:important|relevant|interesting|significant|remarkable|positive|negative|worrying|encouraging))\b"
)
_VAGUE = re.compile(
    r"\b(?:some\s+sources|there\s+(?:was|is|were)\s+information|not\s+much\s+information"
    r"|many\s+believe|it\s+is\s+said|somewhat|rather)\b"
)
# Case-sensitive so that "US" (the country) is not "us".
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|[Ww]e|us|[Oo]ur)\b")
_SECOND_PERSON = re.compile(r"\b(?:you|your)\b")
_PAST_EVENT = re.compile(
    r"\b(?:met|held|took\s+place|signed|announced|cancell?ed|stopped|refused|invaded|attacked|raised"
    r"|elected|appointed|killed|arrested|launched|approved|passed|voted|accepted|denied|rejected"
    r"|created|lost|spent|cost|increased|decreased|doubled|cut|tripled|fell|rose)\b"
)
# For the patterns of whole words: words one of which every match holds as a whole run of word characters
# (each pattern's words end at a boundary or a space). A sentence holding none of them cannot match, and
# testing a set of its words is much cheaper than the pattern's scan; the cues are the same.
_RUN = re.compile(r"\w+")
_NEEDED_WORDS: dict[re.Pattern[str], frozenset[str]] = {
    _NUMBER_WORD: word_set(
        """million billion trillion thousand thousands hundred hundreds dozen dozens half third quarter twice
        double doubled doubles triple tripled triples percent majority average"""
    ),
    _SUPERLATIVE: word_set(
        """highest lowest largest smallest biggest greatest worst best most least fastest record first ever
        never only"""
    ),
    _OPINION: word_set(
        """conclude concluded seems seemed appears appeared speaks shows means suggests indicates proves
        opinion view think believe feel obvious clear evident obviously undoubtedly doubt course"""
    ),
    _OBLIGATION: word_set("should must ought need have has got"),
    _FUTURE: word_set("will going gonna ll"),  # "i'll" is the runs "i" and "ll"
    _EVALUATION: word_set(
        "important relevant interesting significant remarkable positive negative worrying encouraging"
    ),
    _VAGUE: word_set("sources information believe said somewhat rather"),
    _FIRST_PERSON: word_set("I me my We we us Our our"),  # case-sensitive, on the sentence as written
    _SECOND_PERSON: word_set("you your"),
    # Case-sensitive modals and caseless adverbs (on the sentence as written); see _may_hedge.
    _HEDGE: word_set(
        """might may could can would perhaps maybe possibly probably likely unlikely seemingly apparently
        presumably arguably supposedly"""
    ),
    _PAST_EVENT: word_set(  # case-sensitive, on the sentence as written
        """met held took signed announced canceled cancelled stopped refused invaded attacked raised elected
        appointed killed arrested launched approved passed voted accepted denied rejected created lost spent
        cost increased decreased doubled cut tripled fell rose"""
    ),
}
# The comparison pattern's words that open a run of word characters ("increas" of "increased"), and the
# one it needs whole ("more than").
_COMPARISON_STEMS = tuple(
    word_set("increas decreas doubl tripl cut rais lower reduc grew grow fell fall drop rose ris")
)
# Letters that a caseless pattern matches to an ASCII letter while str.lower() does not make them that
# letter (dotless ı and dotted İ, long ſ): a sentence holding one is left to the caseless pattern itself.
_CASELESS_TWINS = frozenset("ıİſ")
# (upper bound in words, cue) for the length of a sentence: long sentences carry more content.
_LENGTH_BUCKETS = ((5, "length: under 5 words"), (10, "length: 5-9 words"), (20, "length: 10-19 words"))
_LONG = "length: 20 words or more"


@dataclass(frozen=True, slots=True)
class SentenceFeatures:
    """The visible cues of one sentence (feature name → what a reviewer is shown) and its words, lowercased
    with digits folded (``words``) and lowercased as written (``shown``, for the reasons)."""

    cues: dict[str, str]
    words: list[str]
    shown: list[str]

    def counts(self) -> dict[str, int]:
        """Every feature with its value: 1 for a cue, a word or a word pair; for a fragment, how many
        distinct words of the sentence contain it."""
        found = dict.fromkeys(self.cues, 1)
        unique = list(dict.fromkeys(self.words))
        for word in unique:
            found["w:" + word] = 1
            for fragment in word_fragments(word):
                found[fragment] = found.get(fragment, 0) + 1
        for pair in word_pairs(self.words):
            found[pair] = 1
        return found


def extract_features(
    sentence: str,
    attribution: Attribution | bool | None = True,
    dates: Sequence[DateMention] | None = None,
) -> SentenceFeatures:
    """The features of ``sentence``.

    ``attribution`` may pass the speaker already found by the pipeline (``None`` when there is none),
    which saves finding it again; ``True`` (the default) finds it here. ``dates`` may pass the sentence's
    date mentions as the pipeline read them against the document's publication day (never without one:
    year-less dates are then left out); ``None`` finds them here against ``ANY_DAY``. Either way the
    result is the same (see ``ANY_DAY``).
    """
    if attribution is True:
        attribution = find_attribution(sentence)
    if dates is None:
        dates = find_dates(sentence, ANY_DAY)
    cues: dict[str, str] = {}
    speaker = attribution if isinstance(attribution, Attribution) else None
    for name, label in _cues(sentence, speaker, dates):
        cues.setdefault("f:" + name, label)
    shown: list[str] = _WORD.findall(sentence.lower())
    # Folding digits keeps every word's boundaries (a digit and a 0 are both word characters).
    words = [_DIGIT.sub("0", word) for word in shown] if _DIGIT.search(sentence) else shown
    return SentenceFeatures(cues=cues, words=words, shown=shown)


def word_pairs(words: list[str]) -> list[str]:
    """The distinct ``b:`` features of a sentence's words."""
    return list(dict.fromkeys(f"b:{first} {second}" for first, second in itertools.pairwise(words)))


@functools.lru_cache(maxsize=65536)
def word_fragments(word: str) -> tuple[str, ...]:
    """The distinct ``c:`` features of one word. Cached: words repeat, and this is the costly part."""
    padded = f" {word} "
    return tuple(
        dict.fromkeys(
            "c:" + padded[start : start + size]
            for size in FRAGMENT_SIZES
            for start in range(len(padded) - size + 1)
        )
    )


def _cues(
    sentence: str, attribution: Attribution | None, dates: Sequence[DateMention]
) -> Iterator[tuple[str, str]]:
    """(feature name, what the reviewer is shown) for each visible cue in ``sentence``."""
    quotes = find_quotes(sentence)
    own_words = _mask(sentence, [(quote.start, quote.end) for quote in quotes])
    lowered = own_words.lower()
    runs, lowered_runs = set(_RUN.findall(own_words)), set(_RUN.findall(lowered))
    if dates:
        yield "date", "date"
        if any(mention.precision == "day" for mention in dates):
            yield "day", "exact day"
    undated = _mask(sentence, [(mention.start, mention.end) for mention in dates])
    if _DIGIT.search(undated):
        for match in _QUANTITY.finditer(undated):
            kind = match.lastgroup or "number"
            yield f"quantity:{kind}", "quantity" if kind == "number" else f"quantity ({kind})"
    if _may_match(_NUMBER_WORD, lowered_runs):
        for match in _NUMBER_WORD.finditer(lowered):
            yield f"amount:{match.group(0)}", f"amount ({match.group(0)})"
    if "than" in lowered_runs or any(run.startswith(_COMPARISON_STEMS) for run in lowered_runs):
        yield from _matches("comparison", _COMPARISON, lowered)
    yield from _matches("superlative", _SUPERLATIVE, lowered, lowered_runs)
    yield from _named(sentence)
    if any(len(quote.text.split()) >= MIN_QUOTE_WORDS for quote in quotes):
        yield "quote", "direct quote"
    elif attribution is not None:
        yield "reported", "reported speech"
    yield from _matches("event", _PAST_EVENT, own_words, runs)
    yield from _matches("opinion", _OPINION, lowered, lowered_runs)
    yield from _matches("obligation", _OBLIGATION, lowered, lowered_runs)
    yield from _matches("future", _FUTURE, lowered, lowered_runs)
    if _may_hedge(own_words, runs, lowered_runs):
        yield from _matches("hedge", _HEDGE, own_words)
    yield from _matches("evaluation", _EVALUATION, lowered, lowered_runs)
    yield from _matches("vague", _VAGUE, lowered, lowered_runs)
    if _may_match(_FIRST_PERSON, runs) and _FIRST_PERSON.search(own_words):
        yield "first person", "speaker's own voice"
    if _may_match(_SECOND_PERSON, lowered_runs) and _SECOND_PERSON.search(lowered):
        yield "second person", "addresses the listener"
    if own_words.rstrip().endswith("?"):
        yield "question", "question"
    yield _length(sentence)


def _may_match(pattern: re.Pattern[str], runs: Set[str]) -> bool:
    """Whether the text whose runs of word characters are ``runs`` holds one of the pattern's needed words."""
    return not _NEEDED_WORDS[pattern].isdisjoint(runs)


def _may_hedge(own_words: str, runs: Set[str], lowered_runs: Set[str]) -> bool:
    """Whether the hedge pattern may match: its modals are matched as written, its adverbs in any case."""
    return (
        _may_match(_HEDGE, runs)
        or _may_match(_HEDGE, lowered_runs)
        or not _CASELESS_TWINS.isdisjoint(own_words)
    )


def _matches(
    kind: str, pattern: re.Pattern[str], text: str, runs: Set[str] | None = None
) -> Iterator[tuple[str, str]]:
    """One cue for the kind when the pattern matches; its label lists the words that matched. ``runs``,
    the text's runs of word characters, lets a pattern of ``_NEEDED_WORDS`` skip a text it cannot match."""
    if runs is not None and not _may_match(pattern, runs):
        return
    phrases = [" ".join(match.group(0).split()) for match in pattern.finditer(text)]
    if phrases:
        yield kind, f"{kind} ({', '.join(dict.fromkeys(phrases))})"


def _named(sentence: str) -> Iterator[tuple[str, str]]:
    kinds = {mention.kind for mention in find_names(sentence)}
    if "person" in kinds:
        yield "person", "named person"
    if "place/organization" in kinds:
        yield "place", "place/organization"


def _length(sentence: str) -> tuple[str, str]:
    count = len(sentence.split())
    label = next((label for bound, label in _LENGTH_BUCKETS if count < bound), _LONG)
    return label, label


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank out spans, keeping offsets, so later patterns do not see them."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
