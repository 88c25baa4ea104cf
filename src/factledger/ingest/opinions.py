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
- a feeling: reported speech of how someone feels ("Residents said they were relieved", "said they felt
  abandoned": whatever follows "felt", the sentence reports a feeling);
- a stance: a short sentence whose only content is how an unnamed group or "everyone" feels about or rates
  something -- a plural or quantified subject, a copula or feeling verb, an evaluative word ("Voters are
  angry.", "Not everybody is impressed.", "Commuters living near the depot were less positive.");
- a forecast by an unnamed group: what analysts, economists or forecasters expect or predict, as the
  subject or as the ones who "said" it ("Economists expect rates to stay near 4%", "The lake is expected to
  freeze by Friday, meteorologists said").

Whether a word is evaluative comes from VADER's sentiment lexicon (a maintained list of 7,500 rated words)
rather than from a list kept here, with two small closed lists beside it: stances it leaves unrated
("divided", "split") and outcomes it rates that are facts about people ("injured", "arrested", "fired"):
"Protesters were arrested." stays a claim.

Forecasts, decided: a desk can check a forecast only as the statement of whoever made it. A forecast held
by a named or definite source ("The central bank expects inflation to fall to 2.5%", "the agency said a
decision was expected by May 1") stays a claim, checked against what that source published. One held by
unnamed analysts, economists or forecasters is a guess with no publisher to check, figure or not
("Economists polled by the ministry expect inflation near 2%": the forecasters are the economists, the
ministry only asked them).

A plan or a prediction with its figure stays a claim ("said it could cut up to 300 jobs"), and so does
"would" alone, the future of reported speech ("said he would introduce a bill next week").
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from factledger.ingest.names import (
    HONORIFICS,
    LOWERCASE_SPEAKER_NOUNS,
    ROLE_WORDS,
    is_org_word,
    strip_possessive,
    word_set,
)
from factledger.ingest.speakers import QuoteSpan

if TYPE_CHECKING:
    from collections.abc import Mapping

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
# "said they felt let down": whatever is felt, the sentence is about a feeling.
_REPORTED_FELT = re.compile(
    r"(?i)\b(?:said|say|says|told\s+\w+)\s+(?:that\s+)?(?:they|he|she|we|I)\s+(?:felt|feel|feels)\b"
)

# A stance sentence: [Not] [quantifier] up to two words and a plural (or "everyone"), any lowercase words
# that describe them, a copula or feeling verb, degree words, the evaluative word, and at most a feeling's
# complement ("about the plan"). Capitals after the first word, digits and number words are ruled out
# apart from this pattern: a name or a figure is something to check.
_STANCE = re.compile(
    # No determiner: "the results", "their plans" are particular things, left to the scorer.
    r"^(?!(?:the|this|these|those|that|its|their|his|her|our|my|your|a|an)\s)"
    r"(?:not\s+)?(?:(?:all|many|some|most|few|several|other|both)\s+(?:of\s+the\s+)?)?"
    r"(?:everyone|everybody|nobody|no\s+one|(?:[a-z-]+\s+){0,2}[a-z-]+s)"
    r"(?:\s+[a-z-]+){0,8}?\s+"
    r"(?:is|are|was|were|remain|remains|remained|seem|seems|seemed|appear|appears|appeared|feel|feels|felt"
    r"|look|looks|looked|grew|became|stay|stays|stayed)\s+"
    r"(?:(?:less|more|very|deeply|increasingly|still|so|too|far|from|largely|clearly|visibly|openly|not"
    r"|particularly|rather|quite|somewhat|equally|also|just|as|less\s+than|no\s+more)\s+){0,3}"
    r"(?P<word>[a-z-]+)(?:\s+(?:about|over|with|at|by|on|of|that)\s+[a-z' -]+)?[.!]?$",
    re.IGNORECASE,
)
# Stances a sentiment lexicon leaves unrated because they are neither positive nor negative.
_UNRATED_STANCES = word_set("divided split undecided unconvinced sceptical skeptical unsure wary mixed")
# Rated in the lexicon, but what happened to people, which is checkable: harm, the law, jobs, health.
_OUTCOMES = word_set(
    """killed injured hurt harmed wounded dead trapped missing rescued safe arrested charged jailed
    convicted guilty acquitted fired suspended banned rejected approved infected sick ill free bankrupt
    evicted lost won"""
)
# A forecast: the verb of expecting or predicting, in any form.
_FORECAST = re.compile(
    r"(?i)\b(?:expect|expects|expected|predict|predicts|predicted|forecast|forecasts|anticipate[sd]?)\b"
)
# Its holder, when an unnamed group: the subject ("[Some] analysts [polled by …] expect") or the ones who
# said it (", forecasters said."). A plural noun with no determiner and no capital but the first letter.
_UNNAMED_GROUP = r"(?P<group>(?:(?:some|many|most|several|other|independent)\s+)?(?:[a-z-]+\s+)?[a-z-]+s)"
_GROUP_FORECASTS = re.compile(
    rf"(?i)^{_UNNAMED_GROUP}(?:\s+[a-z-]+){{0,5}}?\s+(?:expect|predict|forecast|anticipate)\b"
)
_GROUP_SAID = re.compile(rf",\s+{_UNNAMED_GROUP}\s+(?:said|say)[.!]?$", re.IGNORECASE)

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
    if not quotes and _unnamed_forecast(sentence):
        return "forecast"
    if _DIGIT.search(sentence):
        return None
    if not quotes and _stance(sentence):
        return "stance"
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
    if (feeling and feeling.group("word").lower() in _FEELINGS) or _REPORTED_FELT.search(words):
        return "feeling"
    if _HEDGE.search(words):
        return "hedged forecast"
    return None


def _verdict(words: str) -> bool:
    return any(
        match.group("word").lower() in _VERDICT_WORDS for match in _COPULA_THEN_VERDICT.finditer(words)
    )


def _stance(sentence: str) -> bool:
    """A short sentence saying only how an unnamed group or "everyone" feels or rates (module docstring)."""
    if _REPORTING.search(sentence):
        return False  # reported speech: the feeling and judgement rules below read it
    match = _STANCE.match(sentence.strip())
    if match is None or _holds_checkable(sentence):  # a number, or a name after the first word
        return False
    word = match.group("word").lower()
    if word in _OUTCOMES:
        return False
    return word in _UNRATED_STANCES or word in _sentiment_lexicon()


def _unnamed_forecast(sentence: str) -> bool:
    """A forecast held by unnamed analysts, economists or forecasters (module docstring: decided)."""
    stripped = sentence.strip()
    if not _FORECAST.search(stripped):
        return False
    group = _GROUP_FORECASTS.match(stripped) or _GROUP_SAID.search(stripped)
    if group is None or _proper_words(group.group(0)):
        return False
    # "Officials expect …", ", police said": an office speaks for an organisation that can be asked.
    return not _speaker_has_standing(group.group("group"))


def _proper_words(words: str) -> bool:
    """A capitalised word other than the first: a name, and so a source or a subject a checker can find."""
    return any(word[:1].isupper() for word in words.split()[1:])


@cache
def _sentiment_lexicon() -> Mapping[str, float]:
    """VADER's word valences, loaded on first use (the import and the load take about 40 ms)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lexicon: Mapping[str, float] = SentimentIntensityAnalyzer().lexicon
    return lexicon
