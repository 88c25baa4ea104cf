"""Find a quote in a snapshot's text: exactly after normalization, piece by piece when elided, or nearly.

Pure functions over strings; the caller loads the text and stores the result (and answers no_snapshot
itself). Pass a ``NormalizedText`` made once per snapshot when checking several quotes against it:
normalizing a large page costs far more than finding a quote in it.

This file stays whole although it is over 400 lines because it is one algorithm, quote location: the exact
search, the elided-piece walk and the fuzzy fallback share one ``_Located`` result and the same word-edge and
anchor helpers, so splitting it would only export its private steps to each other.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from rapidfuzz import fuzz

from factledger.ledger.statuses import QuoteStatus
from factledger.verify.differences import WORD, compare_words
from factledger.verify.normalize import NormalizedText, normalize_for_matching

__all__ = ["FUZZY_THRESHOLD", "PieceMatch", "QuoteMatch", "locate_quote"]

# A passage at least this similar (rapidfuzz ratio, 0..1) with no hard difference is "fuzzy". Tuned on
# tests/fixtures/quotes: one or two changed words in a quote of a dozen words or more stay above it,
# while a changed word in a short quote (where it is a large part of the meaning) falls below.
FUZZY_THRESHOLD: Final = 0.90

# "…" is "..." after normalization; "[...]" and "(...)" are the editorial forms.
_ELLIPSIS: Final = re.compile(r"\s*(?:[\[(]\s*\.{3,}\s*[\])]|\.{3,})\s*")
# Quotation marks around a quote and punctuation at its ends belong to the citing article, not the source.
_EDGE_PUNCTUATION: Final = " \"'.,;:"
_NEGATION_AFTER: Final = re.compile(r" ?(not|never|no)\b")
_MAX_ANCHORS: Final = 8
_MAX_TERMS_TRIED: Final = 14  # each absent term costs a scan of the whole text
# Words more frequent than this make poor anchors: their hits are everywhere.
_MAX_ANCHOR_HITS: Final = 400


@dataclass(frozen=True, slots=True)
class PieceMatch:
    """One piece of an elided quote; offsets into the original text, None when the piece is missing."""

    text: str  # the piece, normalized
    status: QuoteStatus
    score: float
    start: int | None
    end: int | None
    differences: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    """Where a quote is in a text, and how sure that is.

    ``status`` is FOUND, FUZZY or MISSING. ``score`` is 1.0 for found, the similarity for fuzzy, the
    similarity of the closest passage for missing, and 0.0 when that passage says something different
    (a negation, a number or an opposite word changed). ``start``/``end`` are offsets into the original
    text, set for found and fuzzy. ``nearest`` is the closest passage of a missing quote, when there is
    one, so a reviewer can see what the source says instead. ``pieces`` is set for elided quotes only.
    """

    status: QuoteStatus
    score: float
    start: int | None = None
    end: int | None = None
    differences: tuple[str, ...] = ()
    pieces: tuple[PieceMatch, ...] = ()
    nearest: tuple[int, int] | None = None


def locate_quote(quote: str, text: str | NormalizedText) -> QuoteMatch:
    """Locate ``quote`` in ``text`` (an original text, or one already normalized with its map)."""
    haystack = text if isinstance(text, NormalizedText) else normalize_for_matching(text)
    pieces = [
        piece.strip(_EDGE_PUNCTUATION)
        for piece in _ELLIPSIS.split(normalize_for_matching(quote).text)
        if WORD.search(piece)
    ]
    if not pieces:
        return QuoteMatch(QuoteStatus.MISSING, 0.0, differences=("the quote has no words to look for",))
    if len(pieces) == 1:
        return _as_quote_match(_locate_piece(pieces[0], haystack, 0))
    return _locate_elided(pieces, haystack)


def _as_quote_match(piece: _Located) -> QuoteMatch:
    return QuoteMatch(
        piece.status, piece.score, piece.start, piece.end, piece.differences, nearest=piece.nearest
    )


def _locate_elided(pieces: list[str], haystack: NormalizedText) -> QuoteMatch:
    """Each piece must follow the previous one; the quote is as good as its weakest piece."""
    located: list[_Located] = []
    search_from = 0
    for piece in pieces:
        found = _locate_piece(piece, haystack, search_from)
        located.append(found)
        if found.norm_end is not None:
            search_from = found.norm_end
    worst = min(located, key=lambda p: (_RANK[p.status], p.score))
    differences = tuple(
        f"piece {number} ('{_shorten(p.text)}'): {message}"
        for number, p in enumerate(located, 1)
        for message in (p.differences or (("not found",) if p.status == QuoteStatus.MISSING else ()))
    )
    piece_matches = tuple(
        PieceMatch(p.text, p.status, p.score, p.start, p.end, p.differences) for p in located
    )
    if worst.status == QuoteStatus.MISSING:
        return QuoteMatch(QuoteStatus.MISSING, worst.score, differences=differences, pieces=piece_matches)
    return QuoteMatch(
        worst.status,
        worst.score,
        located[0].start,
        located[-1].end,
        differences,
        piece_matches,
    )


_RANK: Final = {QuoteStatus.MISSING: 0, QuoteStatus.FUZZY: 1, QuoteStatus.FOUND: 2}


def _shorten(piece: str, limit: int = 40) -> str:
    return piece if len(piece) <= limit else piece[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class _Located:
    text: str
    status: QuoteStatus
    score: float
    start: int | None = None  # original offsets
    end: int | None = None
    norm_end: int | None = None  # where the next piece of an elided quote may start
    differences: tuple[str, ...] = ()
    nearest: tuple[int, int] | None = None


def _locate_piece(piece: str, haystack: NormalizedText, search_from: int) -> _Located:
    return _locate_exact(piece, haystack, search_from) or _locate_fuzzy(piece, haystack, search_from)


def _locate_exact(piece: str, haystack: NormalizedText, search_from: int) -> _Located | None:
    """The first occurrence on word edges that no adjacent negation reverses; None when there is none."""
    reversed_at: tuple[int, int, str] | None = None
    for start, end in _occurrences(piece, haystack.text, search_from):
        reversal = _adjacent_negation(haystack.text, start, end)
        if reversal is None:
            original_start, original_end = haystack.original_span(start, end)
            return _Located(piece, QuoteStatus.FOUND, 1.0, original_start, original_end, end)
        reversed_at = reversed_at or (start, end, reversal)
    if reversed_at is None:
        return None
    # The words are there, but the source reverses them right beside the quote: "we will" cut from
    # "we will not", or "the report is accurate" from "we do not believe the report is accurate".
    start, end, reversal = reversed_at
    nearest = haystack.original_span(start, end)
    return _Located(
        piece, QuoteStatus.MISSING, 0.0, differences=(f"negation differs: {reversal}",), nearest=nearest
    )


def _occurrences(piece: str, hay: str, search_from: int) -> Iterator[tuple[int, int]]:
    """Exact occurrences on word edges; then ones that differ only in quotation marks or footnote markers.

    Citing articles drop the source's inner quotation marks ('the figures "simply do not add up"' is
    quoted as "the figures simply do not add up") and its footnote markers, and add their own. That is
    the same wording, so it counts as found; anything else goes to the fuzzy path.
    """
    position = hay.find(piece, search_from)
    while position != -1:
        if _on_word_edges(hay, position, position + len(piece)):
            yield position, position + len(piece)
        position = hay.find(piece, position + 1)
    words = piece.replace('"', " ").split()
    if len(words) < 2 or not _may_hold_with_marks(words, hay):
        return
    for match in _marks_tolerant(tuple(words)).finditer(hay, search_from):
        if _on_word_edges(hay, *match.span()):
            yield match.span()


_BETWEEN_WORDS: Final = r'(?:\[\d{1,3}\])?[ "]+'
_TRAILING_PUNCTUATION: Final = re.compile(r"(?<=\w)\W+$")
# Any bracketed run of 1 to 12 bytes, so every footnote marker (up to three digits of at most 4 bytes
# each in UTF-8); taking out more than the markers only makes ``_may_hold_with_marks`` say yes more often.
_BRACKETED: Final = re.compile(rb"\[[^\[\]]{1,12}\]")


def _may_hold_with_marks(words: list[str], hay: str) -> bool:
    """False when ``hay`` cannot hold a ``_marks_tolerant`` match of ``words``; it spares compiling one.

    Such a match is the words with only spaces, double quotes and footnote markers between or after
    them. With those taken out of both, it is the words run together, somewhere in the text. A quote
    with brackets of its own could overlap a marker, so it is always searched.
    """
    run_together = "".join(words)
    if "[" in run_together or "]" in run_together:
        return True
    return run_together.encode("utf-8", "surrogatepass") in _without_marks(hay)


@lru_cache(maxsize=2)
def _without_marks(hay: str) -> bytes:
    """``hay`` as UTF-8 without spaces, double quotes and bracketed markers.

    UTF-8 because deleting bytes is several times faster than building a str without them, and a
    UTF-8 string contains another exactly when the texts do. Cached, for very few texts (it holds on
    to them): a run checks each snapshot's quotes one after another against the same text.
    """
    squeezed = hay.encode("utf-8", "surrogatepass").translate(None, b' "')
    return _BRACKETED.sub(b"", squeezed) if b"[" in squeezed else squeezed


def _marks_tolerant(words: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for word in words:
        trailing = _TRAILING_PUNCTUATION.search(word)
        if trailing is None:
            parts.append(re.escape(word))
        else:
            # A closing quotation mark can sit before the punctuation: 'add up",' as well as 'add up,"'.
            parts.append(re.escape(word[: trailing.start()]) + '"?' + re.escape(trailing.group()))
    return re.compile(_BETWEEN_WORDS.join(parts))


_NEGATION_BEFORE: Final = re.compile(r"(?:\b(?:not|never|no)|n't) $")


def _adjacent_negation(hay: str, start: int, end: int) -> str | None:
    """What reverses the passage hay[start:end] from right outside it, if anything does."""
    after = _NEGATION_AFTER.match(hay, end)
    if after is not None:
        return f"the source goes on with '{after.group(1)}' right after the quote"
    before = _NEGATION_BEFORE.search(hay, max(0, start - 8), start)
    if before is not None:
        return f"the source has '{before.group().strip()}' right before the quote"
    return None


def _locate_fuzzy(piece: str, haystack: NormalizedText, search_from: int) -> _Located:
    best: _Located | None = None
    for estimate in _candidate_starts(piece, haystack.text, search_from):
        candidate = _score_near(piece, haystack, search_from, estimate)
        if candidate is None:
            continue
        if candidate.status == QuoteStatus.FUZZY:
            return candidate  # candidates come most promising first
        # Among misses, the one that explains itself (a flipped negation, a changed number) is the one
        # to show the reviewer.
        if best is None or (bool(candidate.differences), candidate.score) > (
            bool(best.differences),
            best.score,
        ):
            best = candidate
    return best or _Located(piece, QuoteStatus.MISSING, 0.0)


def _score_near(piece: str, haystack: NormalizedText, search_from: int, estimate: int) -> _Located | None:
    """Align the piece with the text around ``estimate`` and judge the passage it lands on."""
    hay = haystack.text
    margin = len(piece) // 3 + 16
    window_start = max(search_from, estimate - margin)
    window_end = min(len(hay), estimate + len(piece) + margin)
    alignment = fuzz.partial_ratio_alignment(piece, hay[window_start:window_end])
    if alignment is None:
        return None
    start, end, similarity = _snap_to_words(
        piece, hay, window_start + alignment.dest_start, window_start + alignment.dest_end, search_from
    )
    if end <= start:
        return None
    passage = hay[start:end]
    # Exact search failed, so the passage differs somewhere even if the characters compare equal
    # (a boundary or a trailing negation); fuzzy never reaches 1.0.
    score = min(similarity, 0.99)
    differences = compare_words(piece, passage)
    span = haystack.original_span(start, end)
    hard = [d.message for d in differences if d.hard]
    reversal = _adjacent_negation(hay, start, end)
    if reversal is not None:
        hard.insert(0, f"negation differs: {reversal}")
    if hard and score >= FUZZY_THRESHOLD - 0.15:
        return _Located(piece, QuoteStatus.MISSING, 0.0, differences=tuple(hard), nearest=span)
    if score >= FUZZY_THRESHOLD and not hard:
        messages = tuple(d.message for d in differences) or ("punctuation or spacing differs",)
        return _Located(piece, QuoteStatus.FUZZY, round(score, 4), span[0], span[1], end, messages)
    return _Located(piece, QuoteStatus.MISSING, round(score, 4), nearest=span)


_WORD_EDGE: Final = re.compile(r"\w+")


def _snap_to_words(piece: str, hay: str, start: int, end: int, floor: int) -> tuple[int, int, float]:
    """Move an alignment's ends onto word boundaries, trying neighbouring words; the best ratio wins.

    partial_ratio aligns characters, so its ends can fall inside a word or skip a changed first or last
    word. The passage a reviewer sees must be whole words.
    """
    context_start = max(floor, start - 40)
    context_end = min(len(hay), end + 40)
    words = [
        (m.start() + context_start, m.end() + context_start)
        for m in _WORD_EDGE.finditer(hay[context_start:context_end])
    ]
    if not words:
        return start, end, 0.0
    starts = sorted(range(len(words)), key=lambda i: abs(words[i][0] - start))[:3]
    ends = sorted(range(len(words)), key=lambda i: abs(words[i][1] - end))[:3]
    best = (start, end, -1.0)
    for i in starts:
        for j in ends:
            if j < i:
                continue
            candidate_start, candidate_end = words[i][0], words[j][1]
            # Keep punctuation the quote itself ends with (a question mark, a closing parenthesis).
            if candidate_end < len(hay) and hay[candidate_end] == piece[-1] and not piece[-1].isalnum():
                candidate_end += 1
            ratio = fuzz.ratio(piece, hay[candidate_start:candidate_end]) / 100
            if ratio > best[2]:
                best = (candidate_start, candidate_end, ratio)
    return best


def _candidate_starts(piece: str, hay: str, search_from: int) -> list[int]:
    """Where the piece probably starts, best first: its most distinctive words vote for an alignment.

    ``str.find`` runs in C, so a few anchor words cost well under a millisecond in 200 KB, far less than
    sliding a fuzzy comparison over the whole text. Long words go first because they are rarer; a word
    found too often, or not at all, casts no vote.
    """
    estimates: list[tuple[int, str]] = []
    anchors = 0
    for term, offset in _anchor_terms(piece)[:_MAX_TERMS_TRIED]:
        positions: list[int] = []
        position = hay.find(term, search_from)
        while position != -1 and len(positions) <= _MAX_ANCHOR_HITS:
            positions.append(position)
            position = hay.find(term, position + 1)
        if not positions or len(positions) > _MAX_ANCHOR_HITS:
            continue
        estimates.extend((found - offset, term) for found in positions)
        anchors += 1
        if anchors == _MAX_ANCHORS:
            break
    if not estimates:
        return []
    estimates.sort()
    tolerance = max(24, len(piece) // 4)
    scored: list[tuple[int, int]] = []
    left = 0
    # Sliding window over sorted estimates: how many distinct anchors agree within the tolerance. The
    # window's votes per anchor are kept up to date as it slides, rather than counted again each step.
    votes: Counter[str] = Counter()
    for estimate, word in estimates:
        votes[word] += 1
        while estimate - estimates[left][0] > tolerance:
            leaving = estimates[left][1]
            votes[leaving] -= 1
            if not votes[leaving]:
                del votes[leaving]
            left += 1
        scored.append((len(votes), estimates[left][0]))
    scored.sort(key=lambda item: -item[0])
    chosen: list[int] = []
    for _, estimate in scored:
        if all(abs(estimate - other) > len(piece) for other in chosen):
            chosen.append(max(search_from, estimate))
        if len(chosen) == 3:
            break
    return chosen


def _anchor_terms(piece: str) -> list[tuple[str, int]]:
    """Search terms and their offsets in the piece, longest first. A CJK "word" is a whole run between
    punctuation, so it is cut into 4-character terms; one edited character then spoils only one term."""
    terms: dict[str, int] = {}
    for match in WORD.finditer(piece):
        word = match.group()
        if len(word) > 6 and _unspaced(word[0]):
            for index in range(0, len(word) - 3, 4):
                terms.setdefault(word[index : index + 4], match.start() + index)
        else:
            terms.setdefault(word, match.start())
    long_terms = {term: offset for term, offset in terms.items() if len(term) >= 3} or terms
    return sorted(long_terms.items(), key=lambda item: -len(item[0]))


def _on_word_edges(hay: str, start: int, end: int) -> bool:
    """A match must not start or end inside a word ("act" is not in "actively"); CJK and Thai have no
    spaces between words, so there any character boundary is a word boundary."""
    return not (
        (start > 0 and _joins(hay[start - 1], hay[start]))
        or (end < len(hay) and _joins(hay[end - 1], hay[end]))
    )


def _joins(left: str, right: str) -> bool:
    return left.isalnum() and right.isalnum() and not (_unspaced(left) or _unspaced(right))


def _unspaced(ch: str) -> bool:
    code = ord(ch)
    return (
        0x0E00 <= code <= 0x0EFF  # Thai, Lao
        or 0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FFFF
    )
