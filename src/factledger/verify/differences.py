"""Word-level differences between a quote and the passage that nearly matches it, in words a reviewer reads.

Character similarity alone cannot tell a harmless paraphrase from a reversal: "will" and "will not" are
one short word apart, "$11.5 million" and "$1.5 million" one digit. So some differences are *hard*:
negation, numbers and a few opposite-meaning word pairs. A hard difference makes the quote missing
however close the characters are, so a fuzzy match never turns an altered quote into evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from rapidfuzz.distance import Levenshtein

__all__ = ["WORD", "Difference", "compare_words"]

# Words as the diff sees them: "isn't", "l'état", "11.5" and "1,000" stay one token each.
WORD: Final = re.compile(r"\w+(?:[.,']\w+)*")

# English plus the common negators of the other languages in the corpus (French, German, Spanish,
# Russian). "no" is Spanish and English alike.
_NEGATIONS: Final = frozenset({
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot",
    "nowhere", "ne", "pas", "jamais", "aucun", "aucune", "rien", "personne", "sans", "nicht", "kein",
    "keine", "keinen", "keiner", "nie", "niemals", "ohne", "nunca", "nada", "ningún", "ninguna",
    "ninguno", "sin", "tampoco", "не", "нет", "ни", "никогда", "ничего", "никто", "без",
})  # fmt: skip
_NUMBER_WORDS: Final = frozenset({
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
    "thousand", "million", "billion", "trillion", "half", "quarter", "third", "double", "twice",
    "triple", "percent", "dozen", "dozens", "hundreds", "thousands", "millions", "billions",
})  # fmt: skip
# Opposites a one-word edit commonly produces; not a thesaurus, just the reversals seen in misquotes.
_OPPOSITE_PAIRS: Final = (
    ("supports", "opposes"), ("support", "oppose"), ("supported", "opposed"), ("increase", "decrease"),
    ("increased", "decreased"), ("rise", "fall"), ("rose", "fell"), ("more", "less"), ("higher", "lower"),
    ("up", "down"), ("approve", "reject"), ("approved", "rejected"), ("accept", "reject"),
    ("accepted", "rejected"), ("true", "false"), ("always", "never"), ("guilty", "innocent"), ("win", "lose"),
    ("won", "lost"), ("before", "after"), ("legal", "illegal"), ("safe", "unsafe"),
    ("most", "least"), ("confirmed", "denied"), ("confirms", "denies"), ("allow", "ban"), ("allowed", "banned"),
    ("faster", "slower"), ("fast", "slow"), ("better", "worse"), ("best", "worst"), ("bigger", "smaller"),
    ("larger", "smaller"), ("profit", "loss"), ("success", "failure"), ("succeeded", "failed"),
    ("stronger", "weaker"), ("open", "closed"), ("agree", "disagree"), ("gained", "lost"),
)  # fmt: skip
# "necessary"/"unnecessary", "legal"/"illegal": a negating prefix reverses a word without a "not".
_NEGATING_PREFIXES: Final = ("un", "in", "im", "il", "ir", "non", "non-", "dis")
# Footnote markers ("designed for[1] and") are references, not wording; the quote usually drops them.
_FOOTNOTE: Final = re.compile(r"\[\d{1,3}\]")
_OPPOSITES: Final = dict(_OPPOSITE_PAIRS) | {b: a for a, b in _OPPOSITE_PAIRS}


@dataclass(frozen=True, slots=True)
class Difference:
    message: str
    hard: bool  # negation, number or opposite meaning: the quote is not what the source says


def _is_negation(word: str) -> bool:
    return word in _NEGATIONS or word.endswith("n't")


def _is_number(word: str) -> bool:
    # No character is both a letter and a digit, so a word of letters (most words) skips the scan.
    return word in _NUMBER_WORDS or (not word.isalpha() and any(ch.isdigit() for ch in word))


def compare_words(quote: str, passage: str) -> list[Difference]:
    """The word edits that turn normalized ``quote`` into normalized ``passage``, hard ones first."""
    quote_words = WORD.findall(_FOOTNOTE.sub(" ", quote))
    passage_words = WORD.findall(_FOOTNOTE.sub(" ", passage))
    differences: list[Difference] = []
    for op in Levenshtein.opcodes(quote_words, passage_words):
        if op.tag == "equal":
            continue
        ours = quote_words[op.src_start : op.src_end]
        theirs = passage_words[op.dest_start : op.dest_end]
        shown_ours, shown_theirs = _with_context(quote_words, op.src_start, op.src_end, ours, theirs)
        has = f"quote has '{shown_ours}', source has '{shown_theirs}'"
        if sum(map(_is_negation, ours)) != sum(map(_is_negation, theirs)):
            differences.append(Difference(f"negation differs: {has}", hard=True))
        elif [w for w in ours if _is_number(w)] != [w for w in theirs if _is_number(w)]:
            # Just the numbers when both sides have some; with context when one side has none.
            numbers_ours = " ".join(w for w in ours if _is_number(w))
            numbers_theirs = " ".join(w for w in theirs if _is_number(w))
            if not (numbers_ours and numbers_theirs):
                numbers_ours, numbers_theirs = shown_ours, shown_theirs
            differences.append(
                Difference(
                    f"number differs: quote has '{numbers_ours}', source has '{numbers_theirs}'", hard=True
                )
            )
        elif _has_opposite(ours, theirs) or _prefix_negated(ours, theirs):
            differences.append(Difference(f"meaning reversed: {has}", hard=True))
        else:
            differences.append(Difference(has, hard=False))
    differences.sort(key=lambda d: not d.hard)
    return differences


def _has_opposite(ours: list[str], theirs: list[str]) -> bool:
    # A set, not a scan of ``theirs`` per word: a quote that is not on the page aligns as long edits.
    return not {_OPPOSITES.get(word) for word in ours}.isdisjoint(theirs)


def _prefix_negated(ours: list[str], theirs: list[str]) -> bool:
    if len(ours) != 1 or len(theirs) != 1:
        return False
    shorter, longer = sorted((ours[0], theirs[0]), key=len)
    return any(longer == prefix + shorter for prefix in _NEGATING_PREFIXES)


def _with_context(
    quote_words: list[str], start: int, end: int, ours: list[str], theirs: list[str]
) -> tuple[str, str]:
    """Both sides of an edit; an insertion or deletion borrows the quote's neighbouring word, so the
    reviewer reads "quote has 'will', source has 'will not'" rather than "quote has '', source has 'not'"."""
    if ours and theirs:
        return " ".join(ours), " ".join(theirs)
    if start > 0:
        before = quote_words[start - 1]
        return " ".join([before, *ours]), " ".join([before, *theirs])
    if end < len(quote_words):
        after = quote_words[end]
        return " ".join([*ours, after]), " ".join([*theirs, after])
    return " ".join(ours), " ".join(theirs)
