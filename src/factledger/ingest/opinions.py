"""Opinions in quotation marks: a quotation is evidence of what someone said, not of a checkable fact.

The scorer (``scoring``) credits a quotation and ignores opinion words inside it, so that "I think …" in
an official's quoted statement still counts as a checkable quotation. That also keeps the quoted
feelings of passers-by ("“It's going to be noise all night,” said a resident"). This module names the
three shapes of a quoted opinion that news prose uses, each visible in the words:

- belief or feeling in the first person inside a quotation that holds nothing checkable (no number,
  date or name): "I think", "we feel", "no doubt in my mind", "it feels like" -- an official's long
  quotation that also says "I think" keeps its figures and names, and stays a claim;
- a label put on something: 'X called the bill "a blank cheque"';
- the voice of the public: a sentence that is a quotation holding nothing checkable and its
  attribution, from a speaker given no title, office or organisation ("said Clara Benn, who has lived
  there for decades"; what a relative clause says about the speaker is not a title).

``quoted_opinion`` returns which one, as a reason a reviewer (or a learned scorer) can read.

An expert's word does not make a judgement or a guess checkable, and reported speech ("she said …")
carries opinions as well as quotation marks do. ``opinion_of`` adds the shapes that hold for any speaker,
quoted or reported, when nothing checkable (no digit) is in the words:

- a judgement: a verdict adjective or noun after "is"/"was"/"looks", quoted or reported ('"The target
  was always ambitious, and now it is unrealistic," said a housing economist'; "said the plan was unfair");
- a hedged forecast: reported speech whose content is a guess ("said the council would probably miss its
  target", "Walking more may simply be a sign of better health, said Prof. …");
- a feeling: reported speech of how someone feels ("Residents said they were relieved").

A plan or a prediction with its figure stays a claim ("said it could cut up to 300 jobs"), and so does
"would" alone, the future of reported speech ("said he would introduce a bill next week").
"""

from __future__ import annotations

import re

from factledger.ingest.names import (
    HONORIFICS,
    LOWERCASE_SPEAKER_NOUNS,
    ROLE_WORDS,
    is_org_word,
    strip_possessive,
    word_set,
)
from factledger.ingest.speakers import QuoteSpan

_BELIEF = re.compile(
    r"(?i)\b(?:I|we)\s+(?:(?:really|just|still|do|don['’]t|truly)\s+)?(?:think|believe|feel|hope|fear|doubt"
    r"|love|hate|worry)\b|\bin\s+(?:my|our)\s+(?:mind|view|opinion)\b|\bno\s+doubt\b|\bit\s+feels\b"
    r"|\bI['’]m\s+(?:sure|convinced|worried|afraid|angry|proud|disappointed)\b"
)
_LABEL = re.compile(r"\b(?:called|calling|described|branded|dubbed|labell?ed)\s+(?:\S+\s+){0,5}?(?:as\s+)?$")
_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "fifteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "billions",
        "dozen",
        "dozens",
        "half",
        "percent",
        "per",
        "cent",
    ]
)
_DIGIT = re.compile(r"\d")
_RELATIVE_CLAUSE = re.compile(r",?\s+(?:who|whose|which)\s+")
_SAID = re.compile(r"\b(?:said|says|told|added|asked|shouted|wrote)\b")
# Verdicts: words that rate rather than describe. A closed list on purpose: each is a judgement whatever the
# sentence, and a word missing from it only leaves a sentence to the scorer.
_VERDICT_WORDS = word_set(
    """ambitious unrealistic realistic unfair fair wrong unacceptable acceptable absurd ridiculous reckless
    irresponsible misguided naive premature overdue sensible foolish disgraceful outrageous shameful
    shocking appalling disappointing encouraging worrying alarming heartbreaking devastating tragic
    impressive excellent terrible awful dreadful brilliant wonderful pointless useless hopeless mistake
    disaster nightmare scandal shambles farce travesty failure"""
)
_COPULA_THEN_VERDICT = re.compile(
    r"(?i)\b(?:is|was|are|were|be|been|being|looks?|seems?|feels?|remains?|['’]s)\s+"
    r"(?:(?:always|now|still|simply|just|so|too|very|really|quite|deeply|completely|utterly|totally|frankly"
    r"|wildly|clearly|a|an|the|complete|total|real|absolute)\s+){0,3}(?P<word>[a-z]+)\b"
)
_REPORTING = re.compile(
    r"\b(?:said|says|say|told|tells|warned|warns|predicted|predicts|argued|argues|added)\b"
)
_HEDGE = re.compile(r"\b(?:may|might|could|probably|possibly|perhaps|likely|unlikely|maybe)\b")
_FEELINGS = word_set(
    """relieved angry upset happy pleased delighted worried concerned disappointed frustrated shocked
    saddened thrilled proud afraid scared anxious devastated heartbroken furious glad grateful nervous"""
)
_REPORTED_FEELING = re.compile(
    r"(?i)\b(?:said|say|says|told\s+\w+)\s+(?:that\s+)?(?:they|he|she|we|I)\s+"
    r"(?:were|was|are|is|felt|feel|feels|had\s+been|have\s+been)\s+(?:\w+ly\s+|very\s+|so\s+)?"
    r"(?P<word>[a-z]+)\b"
)
# "said one of them, Ruth Ames": the words a sentence may hold besides the quotation and still be just
# a quotation with its attribution.
_MAX_ATTRIBUTION_WORDS = 12


def quoted_opinion(sentence: str, quotes: list[QuoteSpan]) -> str | None:
    """Why the sentence is a quoted opinion ("belief", "label", "voice of the public"), or None."""
    if not quotes:
        return None
    quoted = " ".join(quote.text for quote in quotes)
    if any(_LABEL.search(sentence[: max(0, quote.start - 1)]) for quote in quotes):
        return "label"
    if _holds_checkable(quoted):
        return None
    if _BELIEF.search(quoted):
        return "belief"
    outside = _RELATIVE_CLAUSE.split(_outside(sentence, quotes), maxsplit=1)[0]
    if len(outside.split()) > _MAX_ATTRIBUTION_WORDS or not _SAID.search(outside):
        return None  # more than a quotation and who said it
    if _speaker_has_standing(outside):
        return None
    return "voice of the public"


def _holds_checkable(quoted: str) -> bool:
    """A number, or a capitalised word other than the first and "I": something a checker can look up."""
    if _DIGIT.search(quoted):
        return True
    words = [word.strip("“”\"'‘’,.;:!?()") for word in quoted.split()]
    if any(word.lower() in _NUMBER_WORDS for word in words):
        return True
    return any(word[:1].isupper() and word not in {"I", "I'm", "I’m"} for word in words[1:])


def _speaker_has_standing(attribution_words: str) -> bool:
    """A title, an office or an organisation in the words around the quotation."""
    for word in attribution_words.split():
        bare = strip_possessive(word).lower()
        if word in HONORIFICS or bare in ROLE_WORDS or bare in LOWERCASE_SPEAKER_NOUNS or is_org_word(word):
            return True
    return False


def _outside(sentence: str, quotes: list[QuoteSpan]) -> str:
    pieces: list[str] = []
    position = 0
    for quote in quotes:
        pieces.append(sentence[position : quote.start])
        position = quote.end
    pieces.append(sentence[position:])
    return " ".join(pieces)


def opinion_of(sentence: str, quotes: list[QuoteSpan]) -> str | None:
    """Why the sentence is an opinion, quoted or reported, or None (see the module's docstring).

    A hedge or a feeling counts only in reported speech (a speech verb outside the quotation marks): in
    the narrator's own sentence it is left to the scorer.
    """
    quoted = quoted_opinion(sentence, quotes)
    if quoted is not None:
        return quoted
    if _DIGIT.search(sentence):
        return None
    if quotes:
        inside = " ".join(quote.text for quote in quotes)
        if _verdict(inside) and not _holds_checkable(inside):
            return "judgement"
    words = _outside(sentence, quotes)
    if not _REPORTING.search(words):
        return None
    if _verdict(words):
        return "judgement"  # "said the decision was unfair"
    feeling = _REPORTED_FEELING.search(words)
    if feeling and feeling.group("word").lower() in _FEELINGS:
        return "feeling"
    if _HEDGE.search(words):
        return "hedged forecast"
    return None


def _verdict(words: str) -> bool:
    return any(
        match.group("word").lower() in _VERDICT_WORDS for match in _COPULA_THEN_VERDICT.finditer(words)
    )
