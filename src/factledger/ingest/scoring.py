"""Check-worthiness: how much a sentence asserts something a fact-checker could verify.

A weighted sum of visible features, clamped to [0, 1]. Each feature that fires adds its name to
``reasons``, which is what reviewers see, so every point of the score can be traced to words in the
sentence. Checkable content adds (dates, quantities, named people and places, quotations, reported speech,
concrete events); the author's own judgement subtracts (opinion markers, evaluative phrases, hedges, vague
sourcing, rhetorical questions). Opinion and hedge words inside a quotation do not count against the sentence: "I think …" in a
quoted official is still a checkable quotation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from factledger.ingest.dates import DateMention
from factledger.ingest.names import LOWERCASE_SPEAKER_NOUNS, find_names, is_capitalised
from factledger.ingest.speakers import Attribution, find_quotes

# Weights. A dated event with a named participant clears the default threshold on its own; one feature
# alone (a bare name, a vague year) does not.
WEIGHT_DAY = 0.25
WEIGHT_PERIOD = 0.15  # a month or a year is a weaker anchor than a day
WEIGHT_QUANTITY = 0.25
WEIGHT_QUOTE = 0.25
WEIGHT_REPORTED = 0.2
WEIGHT_PERSON = 0.2
WEIGHT_PLACE = 0.1
WEIGHT_EVENT = 0.15
PENALTY_OPINION = 0.45
PENALTY_EVALUATION = 0.2
PENALTY_HEDGE = 0.15
MAX_HEDGE_PENALTY = 0.3
PENALTY_VAGUE = 0.15
PENALTY_QUESTION = 0.4
PENALTY_AUTHOR = 0.1
PENALTY_SHORT = 0.15
MIN_WORDS = 5
# A quotation this short is usually a scare quote ("high level visits"), not somebody's statement.
MIN_QUOTE_WORDS = 3


@dataclass(frozen=True, slots=True)
class Score:
    value: float
    reasons: list[str] = field(default_factory=list)


_QUANTITY = re.compile(
    r"(?:[$€£¥₽]\s?\d[\d,.]*(?:\s?(?:million|billion|trillion|thousand|bn|m|k)\b)?"  # money
    r"|\b\d[\d,.]*\s?(?:%|percent\b|per\s+cent\b)"  # percentages
    r"|\b\d[\d,.]*\s+(?:million|billion|trillion|thousand|hundred)\b"  # scaled counts
    r"|(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w.]))"  # other numbers (dates are masked out first)
)
_OPINION = re.compile(
    r"(?i)\b(?:one\s+can\s+conclude|we\s+can\s+conclude|it\s+can\s+be\s+concluded|(?:it|this)\s+seem(?:s|ed)"
    r"|it\s+appear(?:s|ed)|this\s+speaks\s+to|speaks\s+to\s+the\s+fact|this\s+(?:shows|means|suggests"
    r"|indicates|proves)\s+that|in\s+my\s+(?:opinion|view)|I\s+(?:think|believe|feel)|we\s+believe"
    r"|it\s+is\s+(?:obvious|clear|evident)|obviously|undoubtedly|no\s+doubt|of\s+course"
    r"|should|must|ought\s+to)\b"
)
# The author grading something ("quite interesting") colours a sentence without replacing its content.
_EVALUATION = re.compile(
    r"(?i)\b(?:(?:no\s+less|more|less|very|most|extremely|quite|highly|particularly)\s+"
    r"(?:important|relevant|interesting|significant|remarkable|positive|negative|worrying|encouraging))\b"
)
# Modal verbs only in lowercase: "May" is usually the month.
_HEDGE = re.compile(
    r"\b(?:might|may|could|can|would|(?i:perhaps|maybe|possibly|probably|likely|unlikely|seemingly"
    r"|apparently|presumably|arguably|supposedly))\b"
)
_VAGUE = re.compile(
    r"(?i)\b(?:some\s+sources|there\s+(?:was|is|were)\s+information|not\s+much\s+information|some\s+time\s+later"
    r"|many\s+believe|it\s+is\s+said|somewhat|rather)\b"
)
# Case-sensitive so that "US" (the country) is not "us".
_AUTHOR = re.compile(r"\b(?:[Ww]e|[Oo]ur|us|I|[Mm]y|me)\b")
_EVENT = re.compile(
    r"\b(?:met|meets?|meetings?|visit(?:s|ed)?|held|took\s+place|signed|announced|cancell?ed|stopped"
    r"|refused|invaded?|attacked|resorted\s+to\s+force|raised|conversations?|talks|negotiations|summit"
    r"|elected|appointed|killed|arrested|launched|approved|passed|voted|accepted|denied|rejected"
    r"|conveyed|presented)\b"
)


def score_sentence(sentence: str, dates: Sequence[DateMention], attribution: Attribution | None) -> Score:
    """Score ``sentence`` given the dates and the attribution already found in it."""
    value = 0.0
    reasons: list[str] = []
    quotes = find_quotes(sentence)
    own_words = _mask(sentence, [(quote.start, quote.end) for quote in quotes])

    if dates:
        value += WEIGHT_DAY if any(d.precision == "day" for d in dates) else WEIGHT_PERIOD
        reasons.append("date")
    if _QUANTITY.search(_mask(sentence, [(d.start, d.end) for d in dates])):
        value += WEIGHT_QUANTITY
        reasons.append("quantity")

    names = find_names(sentence)
    speaker_is_named = attribution is not None and is_capitalised(attribution.speaker.split()[-1])
    if any(name.kind == "person" for name in names) or (speaker_is_named and not _names_place(attribution)):
        value += WEIGHT_PERSON
        reasons.append("named person")
    if any(name.kind == "place/organization" for name in names):
        value += WEIGHT_PLACE
        reasons.append("place/organization")

    statement_quotes = [quote for quote in quotes if len(quote.text.split()) >= MIN_QUOTE_WORDS]
    if statement_quotes:
        value += WEIGHT_QUOTE
        reasons.append("direct quote")
    elif attribution is not None:
        value += WEIGHT_REPORTED
        reasons.append("reported speech")
    if _EVENT.search(own_words):
        value += WEIGHT_EVENT
        reasons.append("event")

    value -= _penalties(sentence, own_words, reasons)
    return Score(value=round(min(1.0, max(0.0, value)), 3), reasons=reasons)


def _penalties(sentence: str, own_words: str, reasons: list[str]) -> float:
    penalty = 0.0
    for match in _unique(_OPINION.findall(own_words)):
        penalty += PENALTY_OPINION
        reasons.append(f"opinion ({match})")
    for match in _unique(_EVALUATION.findall(own_words)):
        penalty += PENALTY_EVALUATION
        reasons.append(f"evaluation ({match})")
    hedges = _unique(_HEDGE.findall(own_words))
    if hedges:
        penalty += min(MAX_HEDGE_PENALTY, PENALTY_HEDGE * len(hedges))
        reasons.append(f"hedge ({', '.join(hedges)})")
    for match in _unique(_VAGUE.findall(own_words)):
        penalty += PENALTY_VAGUE
        reasons.append(f"vague ({match})")
    if own_words.rstrip().endswith("?"):
        penalty += PENALTY_QUESTION
        reasons.append("rhetorical question")
    author = _unique(_AUTHOR.findall(own_words))
    if author:
        penalty += PENALTY_AUTHOR
        reasons.append(f"author's voice ({', '.join(author)})")
    if len(sentence.split()) < MIN_WORDS:
        penalty += PENALTY_SHORT
        reasons.append("too short")
    return penalty


def _names_place(attribution: Attribution | None) -> bool:
    """A capital city or ministry speaking ("Baku claims") is reported speech, not a named person."""
    if attribution is None:
        return True
    speaker = attribution.speaker
    return any(name.kind == "place/organization" for name in find_names(f"x {speaker}")) or (
        speaker.split()[-1].lower() in LOWERCASE_SPEAKER_NOUNS
    )


def _mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Blank out spans, keeping offsets, so later patterns do not see them."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _unique(found: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in found:
        seen.setdefault(" ".join(item.split()), None)
    return list(seen)
