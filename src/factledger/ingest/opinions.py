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
"""

from __future__ import annotations

import re

from factledger.ingest.names import (
    HONORIFICS,
    LOWERCASE_SPEAKER_NOUNS,
    ROLE_WORDS,
    is_org_word,
    strip_possessive,
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
