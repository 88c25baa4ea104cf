"""Sentence segmentation with exact character spans into the document body.

pysbd decides where sentences end (it knows abbreviations such as "U.S." and "Mr." and keeps quotations
whole), but we do not trust its ``char_span`` offsets: pysbd 0.3.x finds spans by searching for each
sentence's text from the start of the input, so a repeated sentence gets the offsets of its first occurrence.
Instead we take pysbd's segment texts and locate them ourselves, always searching forward from where the
previous sentence ended. If pysbd ever rewrites a character we fall back to a whitespace-tolerant search,
and as a last resort hand the rest of the paragraph over as one sentence: spans are never approximate.

Since the spans are ours, pysbd is asked only for its sentences: ``Segmenter.segment`` runs the rule
processor and then computes those untrusted spans, compiling one regular expression per sentence, which
is about a fifth of its time. We call the processor (``Segmenter.processor(text).process()``, what
``segment`` calls first) and skip that step. One segmenter serves every call: it holds no per-text state
that outlives a call. Its English rules are pysbd's own with one step spared where it cannot change the
text (``_English``); tests/ingest/test_sentences.py compares the sentences with stock pysbd's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pysbd
from pysbd.lang.english import English

from factledger.ingest.pysbd_processor import FastProcessor, apply_rules, language_rules


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """``body[start:end] == text``; text has no surrounding whitespace."""

    text: str
    start: int
    end: int


# A blank line (possibly holding spaces or tabs) separates paragraphs; no sentence crosses one.
_PARAGRAPH_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")
# Sentence terminators of scripts pysbd's English rules do not know: Armenian full stop, Devanagari danda,
# Ethiopic full stop. Split after them when whitespace follows.
_EXTRA_TERMINATOR = re.compile(r"(?<=[։।॥።])\s+")
# Line breaks inside a paragraph are usually hard wrapping, not sentence ends. They are replaced by spaces
# of equal length before segmenting, so offsets in the copy are offsets in the original.
_WINDOW_CHARS = 5000
_INLINE_BREAKS = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\f": " ", "\v": " "})


# Characters that a case-insensitive pattern of Python's re matches to an ASCII letter while str.lower()
# does not make them that letter: dotless ı and dotted İ ("i"), long ſ ("s"), the Kelvin sign ("k").
_CASELESS_TWINS_OF_ASCII = frozenset("ıİſ\u212a")


# pysbd's abbreviations, in its order. One made of letters and digits only matters where a period follows
# it (see _English); pysbd writes the others into its patterns as they are, so those are only looked for.
_ABBREVIATIONS = tuple(abbr.strip() for abbr in English.Abbreviation.ABBREVIATIONS)
_PLAIN_ABBREVIATIONS = {abbr: index for index, abbr in enumerate(_ABBREVIATIONS) if abbr.isalnum()}
_OTHER_ABBREVIATIONS = tuple((index, abbr) for index, abbr in enumerate(_ABBREVIATIONS) if not abbr.isalnum())
_LONGEST_PLAIN = max(map(len, _PLAIN_ABBREVIATIONS))


def _abbreviations_to_scan(lowered: str) -> list[str]:
    """The abbreviations pysbd's loop must scan ``lowered`` for, in its order: each plain one written
    right before a period, and each other one that occurs at all.

    Testing each of the 188 with ``in`` reads the whole paragraph 188 times; the few words before each
    period are looked up instead ("no." is found as the two characters before a period)."""
    found: set[int] = set()
    period = lowered.find(".")
    while period >= 0:
        for size in range(1, min(_LONGEST_PLAIN, period) + 1):
            index = _PLAIN_ABBREVIATIONS.get(lowered[period - size : period])
            if index is not None:
                found.add(index)
        period = lowered.find(".", period + 1)
    found.update(index for index, abbr in _OTHER_ABBREVIATIONS if abbr in lowered)
    return [_ABBREVIATIONS[index] for index in sorted(found)]


class _English(English):  # type: ignore[misc]  # pysbd is untyped
    """pysbd's English rules, unchanged but for work skipped in its abbreviation step where it can change
    nothing: that step turns the period after an abbreviation into a placeholder, and without such a
    period there is nothing to turn.

    pysbd looks for each of its 188 abbreviations that occurs anywhere in a paragraph's lowercased text
    (as the start of common words too: "co" in "could", "st" in "first", "no" in "not") with two regular
    expression scans of the paragraph, then one substitution over the whole paragraph per occurrence:
    about half of its time, nearly all of it finding that no period follows. An abbreviation made of
    other characters than letters and digits is left to pysbd: it writes some of them into its patterns
    unescaped, where a literal test would not say whether they match.
    """

    Processor = FastProcessor

    class AbbreviationReplacer(English.AbbreviationReplacer):  # type: ignore[misc]
        text: str
        lang: Any

        def replace(self) -> str:
            # pysbd's method (abbreviation_replacer.py) with its rules applied by apply_rules.
            rules = language_rules(self.lang)
            self.text = apply_rules(self.text, rules.abbreviation_prefix)
            self.text = "".join(
                self.search_for_abbreviations_in_string(line) for line in self.text.splitlines(True)
            )
            self.replace_multi_period_abbreviations()
            self.text = apply_rules(self.text, rules.am_pm)
            self.text = self.replace_abbreviation_as_sentence_boundary()
            text: str = self.text
            return text

        def search_for_abbreviations_in_string(self, text: str) -> str:
            if not _CASELESS_TWINS_OF_ASCII.isdisjoint(text):
                # pysbd finds "ſt" as "st"; the lowercased text would not hold "st." for the test below.
                replaced: str = super().search_for_abbreviations_in_string(text)
                return replaced
            # pysbd's own loop (pysbd 0.3.4, abbreviation_replacer.py), with the test marked below.
            # added: only the abbreviations that the text holds with a period after them, in any case
            # (_abbreviations_to_scan); pysbd's loop skips those absent and finds nothing to replace in the
            # others.
            for stripped in _abbreviations_to_scan(text.lower()):
                abbrev_match = re.findall(rf"(?:^|\s|\r|\n){stripped}", text, flags=re.IGNORECASE)
                if not abbrev_match:
                    continue
                next_word_start = r"(?<={" + str(re.escape(stripped)) + "} ).{1}"
                char_array = re.findall(next_word_start, text)
                for ind, match in enumerate(abbrev_match):
                    text = self.scan_for_replacements(text, match, ind, char_array)
            return text

        def scan_for_replacements(self, txt: str, am: str, ind: int, char_array: list[str]) -> str:
            # The same test for one occurrence, as written (``am``: " co" of " could"): pysbd would run a
            # substitution over the whole paragraph for a period that is not there.
            written = am.strip()
            if written.isalnum() and f"{written}." not in txt:
                return txt
            replaced: str = super().scan_for_replacements(txt, am, ind, char_array)
            return replaced


_SEGMENTER = pysbd.Segmenter(language="en", clean=False)
_SEGMENTER.language_module = _English


def _pysbd_sentences(text: str) -> list[str]:
    """pysbd's sentences of ``text`` (as ``Segmenter.segment`` finds them), without its char spans."""
    if not text:
        return []
    sentences: list[str] = _SEGMENTER.processor(text).process()
    return sentences


def split_sentences(body: str) -> list[SentenceSpan]:
    """Split ``body`` into sentences with exact spans, in document order."""
    spans: list[SentenceSpan] = []
    for paragraph_start, paragraph_end in _paragraphs(body):
        paragraph = body[paragraph_start:paragraph_end]
        for start, end in _locate_segments(paragraph):
            for piece_start, piece_end in _split_extra_terminators(paragraph, start, end):
                spans.append(
                    SentenceSpan(
                        text=body[paragraph_start + piece_start : paragraph_start + piece_end],
                        start=paragraph_start + piece_start,
                        end=paragraph_start + piece_end,
                    )
                )
    return spans


def _paragraphs(body: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(body):
        if body[start : match.start()].strip():
            yield start, match.start()
        start = match.end()
    if body[start:].strip():
        yield start, len(body)


def _locate_segments(paragraph: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each sentence in ``paragraph``, trimmed, covering all its non-space text.

    pysbd's abbreviation pass costs time quadratic in its input (about 5 s for one 100 kB paragraph), so
    a long paragraph is fed to it in windows. Every window but the last gives up its final sentence, which
    the window may have cut short, and the next window starts where that sentence starts.
    """
    flat = paragraph.translate(_INLINE_BREAKS)
    cursor = 0
    while paragraph[cursor:].strip():
        window_end = min(len(flat), cursor + _WINDOW_CHARS)
        ends = _segment_ends(flat, _pysbd_sentences(flat[cursor:window_end]), cursor)
        if window_end < len(flat) and len(ends) > 1:
            ends = ends[:-1]
        if not ends:
            # pysbd's text could not be found in ours: the rest is one sentence rather than a guess.
            yield from _trimmed(paragraph, cursor, len(paragraph))
            return
        for end in ends:
            # Text pysbd skipped between two sentences belongs to the next one, so nothing is lost.
            yield from _trimmed(paragraph, cursor, end)
            cursor = end


def _segment_ends(flat: str, segments: list[str], cursor: int) -> list[int]:
    """Where each segment ends in ``flat``, searching forward from ``cursor``; stops at the first miss."""
    ends: list[int] = []
    for segment in segments:
        needle = segment.strip()
        if not needle:
            continue
        found = _find_forward(flat, needle, cursor)
        if found is None:
            break
        cursor = found[1]
        ends.append(cursor)
    return ends


def _find_forward(haystack: str, needle: str, cursor: int) -> tuple[int, int] | None:
    index = haystack.find(needle, cursor)
    if index >= 0:
        return index, index + len(needle)
    # pysbd may have collapsed or inserted whitespace; match the same words with any spacing.
    pattern = r"\s*".join(re.escape(word) for word in needle.split())
    match = re.compile(pattern).search(haystack, cursor)
    if match:
        return match.start(), match.end()
    return None


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        leading = len(chunk) - len(chunk.lstrip())
        yield start + leading, start + leading + len(stripped)


def _split_extra_terminators(paragraph: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    piece_start = start
    for match in _EXTRA_TERMINATOR.finditer(paragraph, start, end):
        yield from _trimmed(paragraph, piece_start, match.start())
        piece_start = match.end()
    yield from _trimmed(paragraph, piece_start, end)
