"""Text normalization for quote matching, with a map back to the original text's character offsets.

A quote and a snapshot's text are both normalized the same way, then compared with plain string search.
A match is found in normalized text, but the TUI highlights the *original* text, so every normalized
character remembers where it came from.

Speed matters: a snapshot of a few hundred KB is normalized once per capture, and a per-character Python
loop costs tens of milliseconds there. So the common case (ASCII words separated by single spaces) is
copied through in whole runs, case folded by one ``str.translate``; only the places that change (other
whitespace, invisible characters, line-break hyphenation, non-ASCII runs) are visited one match at a
time, and finding them is one pass of C-speed scans (``_special_matches``). The map is stored as
segments rather than one integer per character, which keeps it small enough to store beside the text.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Final

__all__ = ["NORMALIZATION_VERSION", "NormalizedText", "normalize_for_matching"]

# Normalized texts are stored beside the snapshot texts (verify/textcache.py). Bump this whenever a rule
# below changes what a text normalizes to, so stored ones made by the old rules are rebuilt, not trusted.
NORMALIZATION_VERSION: Final = 1

# Typographic variants that mean the same as an ASCII character. Applied before NFKC, because NFKC turns
# some of them into something else (″ would become two ′ primes, not a double quote).
_PUNCTUATION: Final = str.maketrans(
    {
        **dict.fromkeys("“”„‟«»″〝〞＂", '"'),
        **dict.fromkeys("‘’‚‛′‹›＇`´", "'"),
        **dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"),
        "…": "...",
    }
)
_TYPOGRAPHIC: Final = re.compile("[" + "".join(chr(c) for c in _PUNCTUATION) + "]")
# Characters that render as nothing: soft hyphen, zero-width space/non-joiner/joiner, word joiner, BOM.
_INVISIBLE: Final = "\u00ad\u200b-\u200d\u2060\ufeff"
_INVISIBLE_CHARS: Final = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_WHITE_CHARS: Final = _INVISIBLE_CHARS | {chr(c) for c in range(0x3100) if chr(c).isspace()}
_STRIPPABLE: Final = "".join(sorted(_WHITE_CHARS))
_OTHER_HYPHENS: Final = frozenset("\u2010\u00ad")

# Everything that is not a plain ASCII character or a lone ASCII space. The alternatives, in order:
#  a word broken at a line end ("recog-\nnised"): letter, hyphen, newline, letter only, so a dash
#  between words on two lines survives as a space;
#  whitespace/invisible runs that are not already one plain space;
#  a non-ASCII run, with the spaces inside it, so Cyrillic or CJK prose is one match per stretch rather
#  than one per word.
# None of the alternatives is a group: the kind of a match is told by its first character instead (see
# normalize_for_matching). The pattern is only ever tried at a given position (``_special_matches``
# finds where); searching a text with it would try all five alternatives at every character.
_WHITE: Final = rf"\s{_INVISIBLE}"
_SPECIAL: Final = re.compile(
    rf"[-\u2010\u00ad](?<=[^\W\d_].)[ \t\u00a0]*\r?\n[{_WHITE}]*(?=[^\W\d_])"
    rf"|[{_WHITE}][{_WHITE}]+|[^\S ]|[{_INVISIBLE}]"
    rf"|[^\x00-\x7f{_WHITE}]++(?: [^\x00-\x7f{_WHITE}]++)*+"
)
# Every character a _SPECIAL match can start with, except the plain space: an ASCII hyphen, the other
# ASCII whitespace (str.isspace counts U+001C..U+001F), and everything beyond ASCII. One character class,
# so the regex engine looks for the next one with a tight character scan instead of running the pattern.
_CANDIDATE: Final = re.compile("[-\t-\r\x1c-\x1f\x80-\U0010ffff]")
# For a text whose characters are all Latin-1 (ASCII pages, Western European ones without typographic
# quotes), the scans run over flag bytes, one a character, searched with memchr: the regex engine tests
# each character against a class at about 10 ns a character, a hundred times slower. Other texts use
# the regexes. _NARROW_FLAGS marks the _CANDIDATE characters but the tab-to-CR blanks; _WHITE_FLAGS
# marks ASCII whitespace, so two 1s in a row are where a run of it starts. A lone tab or line break
# (the end of every line of an extracted text) is then not visited at all: the ASCII stretch's
# translate turns it into a space in place, as it did when it was a match of its own.
_NARROW_FLAGS: Final = bytes(1 if c == 0x2D or 0x1C <= c <= 0x1F or c >= 0x80 else 0 for c in range(256))
_WHITE_FLAGS: Final = bytes(1 if 0x09 <= c <= 0x0D or 0x1C <= c <= 0x20 else 0 for c in range(256))
# ASCII whitespace other than the space: alone between two non-blank characters, each one becomes a
# space. Between matches the text is pure ASCII (every other character is a _CANDIDATE that matches),
# and any such blank in it is a lone one, so one table folds a whole stretch: case, and blanks to spaces.
_LONE_BLANKS: Final = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f")
_ASCII_FOLD: Final = str.maketrans(
    {**{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}, **dict.fromkeys(_LONE_BLANKS, " ")}
)
_COMBINING_RUN: Final = re.compile(
    r".[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*", re.DOTALL
)


def _fold(run: str) -> str:
    """Quotes/dashes unified, compatibility forms folded (NFKC), case folded; the core of the matching."""
    # str.translate looks every character up in a dict, which costs more than NFKC and casefold
    # together on a long Cyrillic or CJK run; a regex scan first skips it when nothing would change.
    if _TYPOGRAPHIC.search(run):
        run = run.translate(_PUNCTUATION)
    folded = unicodedata.normalize("NFKC", run).casefold()
    # Folding can produce characters the table maps (a small em dash becomes an em dash, for one).
    return folded.translate(_PUNCTUATION) if _TYPOGRAPHIC.search(folded) else folded


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Normalized text plus the map from its character offsets to the original text's.

    The map is a list of segments, each starting at ``seg_norm[k]`` in the normalized text and covering
    ``seg_orig[k]:seg_orig_end[k]`` in the original. A *linear* segment maps character by character (same
    length on both sides); any other segment maps all of its characters to the whole original span (a
    whitespace run that became one space, "…" that became "...").
    """

    text: str
    original_length: int
    seg_norm: array[int]
    seg_orig: array[int]
    seg_orig_end: array[int]
    seg_linear: bytes

    def original_index(self, index: int) -> int:
        """Offset in the original text where normalized character ``index`` starts."""
        k = self._segment(index)
        if self.seg_linear[k]:
            return self.seg_orig[k] + index - self.seg_norm[k]
        return self.seg_orig[k]

    def original_end(self, index: int) -> int:
        """Offset in the original text just after normalized character ``index``."""
        k = self._segment(index)
        if self.seg_linear[k]:
            return self.seg_orig[k] + index - self.seg_norm[k] + 1
        return self.seg_orig_end[k]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``(start, end)`` that the normalized ``text[start:end]`` came from."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}:{end} is empty or outside 0:{len(self.text)}")
        return self.original_index(start), self.original_end(end - 1)

    def offsets(self) -> list[int]:
        """One original offset per normalized character (for tests and debugging; O(n) memory)."""
        return [self.original_index(i) for i in range(len(self.text))]

    def mapping_bytes(self) -> bytes:
        """The offset map in a compact form, so a caller can store it beside the normalized text."""
        header = array("q", [self.original_length, len(self.seg_norm)])
        parts = (self.seg_norm, self.seg_orig, self.seg_orig_end)
        return header.tobytes() + b"".join(part.tobytes() for part in parts) + self.seg_linear

    @classmethod
    def from_stored(cls, text: str, mapping: bytes) -> NormalizedText:
        """Rebuild from ``text`` and ``mapping_bytes()``, without normalizing again."""
        header = array("q")
        header.frombytes(mapping[: 2 * header.itemsize])
        original_length, count = header
        parts: list[array[int]] = []
        offset = 2 * header.itemsize
        for _ in range(3):
            part = array("q")
            size = count * part.itemsize
            part.frombytes(mapping[offset : offset + size])
            parts.append(part)
            offset += size
        return cls(text, original_length, parts[0], parts[1], parts[2], mapping[offset : offset + count])

    def _segment(self, index: int) -> int:
        if not 0 <= index < len(self.text):
            raise IndexError(f"normalized index {index} outside 0:{len(self.text)}")
        return bisect_right(self.seg_norm, index) - 1


class _Builder:
    """Collects normalized pieces and their segments in one pass over the original."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.seg_norm: array[int] = array("q")
        self.seg_orig: array[int] = array("q")
        self.seg_orig_end: array[int] = array("q")
        self.seg_linear = bytearray()

    def add(self, piece: str, orig_start: int, orig_end: int, *, linear: bool) -> None:
        if not piece:
            return  # removed text needs no segment: no normalized character points into it
        self.pieces.append(piece)
        self.seg_norm.append(self.length)
        self.seg_orig.append(orig_start)
        self.seg_orig_end.append(orig_end)
        self.seg_linear.append(linear)
        self.length += len(piece)

    def add_folded(self, run: str, orig_start: int) -> None:
        folded = _fold(run)
        if len(folded) == len(run):
            self.add(folded, orig_start, orig_start + len(run), linear=True)
            return
        # Lengths differ (… became ..., ß became ss, e + combining acute became é): map per character,
        # keeping a base character and its combining marks together because NFKC composes them.
        for cluster in _COMBINING_RUN.finditer(run):
            piece = _fold(cluster.group())
            start = orig_start + cluster.start()
            end = orig_start + cluster.end()
            self.add(piece, start, end, linear=len(piece) == end - start)


def _joins_line_break(text: str, start: int, end: int) -> bool:
    """Whether a soft hyphen run is a word broken across lines, as opposed to an invisible mark + space."""
    return "\n" in text[start:end] and text[start - 1 : start].isalpha() and text[end : end + 1].isalpha()


def _latin1_flags(text: str) -> tuple[bytes, bytes] | None:
    """``_NARROW_FLAGS`` and ``_WHITE_FLAGS`` of a Latin-1 ``text``, a byte per character; None for others."""
    try:
        encoded = text.encode("latin-1")
    except UnicodeEncodeError:
        return None
    return encoded.translate(_NARROW_FLAGS), encoded.translate(_WHITE_FLAGS)


def _latin1_special_matches(
    text: str, position: int, stop: int, narrow: bytes, white: bytes
) -> Iterator[re.Match[str]]:
    """``_special_matches`` of a Latin-1 text, from its flag bytes, without the lone tab-to-CR blanks.

    A match can only start at a narrow candidate, at the first of two ASCII whitespace characters in a
    row, or at the ASCII whitespace character right before a candidate that is whitespace (a run of one
    ASCII blank and a no-break space, say). An ASCII blank that starts none of these is alone between two
    non-blanks: the pattern would match it alone, and the caller would do nothing with that match.
    """
    return _scan_matches(
        text,
        position,
        stop,
        find_candidate=partial(narrow.find, 1),
        find_pair=partial(white.find, b"\x01\x01"),
        blank_at=white.__getitem__,
    )


def _special_matches(text: str, position: int, stop: int) -> Iterator[re.Match[str]]:
    """Exactly the matches of ``_SPECIAL.finditer(text, position, stop)``, found with C-speed scans.

    A match can only start at a ``_CANDIDATE`` character or at a space that whitespace follows. The
    latter is either the start of a run of plain spaces (``str.find`` of two spaces) or the one space
    right before a whitespace candidate (two spaces there would have been found first).
    """

    def find_candidate(scan: int, stop: int) -> int:
        found = _CANDIDATE.search(text, scan, stop)
        return found.start() if found is not None else -1

    return _scan_matches(
        text,
        position,
        stop,
        find_candidate=find_candidate,
        find_pair=partial(text.find, "  "),
        blank_at=lambda index: text[index] == " ",
    )


def _scan_matches(
    text: str,
    position: int,
    stop: int,
    *,
    find_candidate: Callable[[int, int], int],
    find_pair: Callable[[int, int], int],
    blank_at: Callable[[int], object],
) -> Iterator[re.Match[str]]:
    """The ``_SPECIAL`` matches that start where ``find_candidate`` or ``find_pair`` point (each returns
    the first place in ``[scan, stop)``, or -1), or on the blank (``blank_at``) right before a candidate
    that is whitespace. At the earliest such place the pattern is tried once; only an ASCII hyphen that
    joins no broken word can fail there, and the scan goes on after it. Each finder's result is kept
    until the cursor passes it, so the text is scanned once in all.
    """
    scan = position
    candidate = pair = scan - 1  # not looked for yet
    while scan < stop:
        if candidate < scan:
            candidate = find_candidate(scan, stop)
            if candidate == -1:
                candidate = stop
        if pair < scan:
            pair = find_pair(scan, stop)
            if pair == -1:
                pair = stop
        start = min(candidate, pair)
        if start == stop:
            return
        if start == candidate and start > scan and blank_at(start - 1) and text[start] in _WHITE_CHARS:
            start -= 1
        match = _SPECIAL.match(text, start, stop)
        if match is None:
            scan = start + 1  # a hyphen that joins no word broken at a line end
            continue
        yield match
        scan = match.end()


def normalize_for_matching(text: str) -> NormalizedText:
    """Normalize ``text`` for quote matching and keep the map back to its offsets.

    NFKC; curly quotes, primes and guillemets to ' and "; dashes to -; … to ...; soft hyphens and
    zero-width characters removed; every whitespace run (non-breaking spaces included) to one space;
    case folded; a word hyphenated across a line break joined again; leading/trailing space trimmed.
    HTML entities are not decoded here: the extractor already did, so "&amp;" in a quote is literal text.
    """
    builder = _Builder()
    # Trimming the original first means no normalized piece can start or end with a space.
    position = len(text) - len(text.lstrip(_STRIPPABLE))
    stop = len(text.rstrip(_STRIPPABLE))
    plain_from = position  # where the ASCII stretch not yet added starts
    flags = _latin1_flags(text)
    matches = (
        _special_matches(text, position, stop)
        if flags is None
        else _latin1_special_matches(text, position, stop, *flags)
    )
    for match in matches:
        start, end = match.span()
        if end - start == 1 and text[start] in _LONE_BLANKS:
            # A lone tab or newline becomes one space in place, so it stays inside the ASCII stretch
            # around it (one linear segment, folded by one translate) rather than splitting it in three.
            # (Latin-1 texts do not even see lone tab-to-CR blanks here, only U+001C..U+001F.)
            position = end
            continue
        run = match.group()
        first = run[0]
        # Only the line-break alternative matches an ASCII hyphen; U+2010 and the soft hyphen can also
        # be a plain non-ASCII or invisible character, so for them the break is checked.
        if first == "-" or (first in _OTHER_HYPHENS and _joins_line_break(text, start, end)):
            kind = "join"
        elif first in _WHITE_CHARS:
            kind = "space"
        else:
            kind = "wide"
            # A combining mark composes with the ASCII letter before it (e + U+0301 is é), so the
            # letter joins the run; a blank before it is a lone one, which stays a space (where lone
            # blanks are matches, ``position`` is already past it).
            if (
                start > position
                and unicodedata.combining(first)
                and text[start - 1].isascii()
                and text[start - 1] not in _LONE_BLANKS
            ):
                start -= 1
                run = text[start:end]
        if start > plain_from:  # an ASCII stretch without anything to change but case and lone blanks
            builder.add(text[plain_from:start].translate(_ASCII_FOLD), plain_from, start, linear=True)
        if kind == "space" and not _INVISIBLE_CHARS.issuperset(run):
            builder.add(" ", start, end, linear=end - start == 1)
        elif kind == "wide":
            builder.add_folded(run, start)
        # A line-break hyphen and invisible characters add nothing: the two halves of the word join up.
        position = plain_from = end
    if plain_from < stop:
        builder.add(text[plain_from:stop].translate(_ASCII_FOLD), plain_from, stop, linear=True)
    return NormalizedText(
        "".join(builder.pieces),
        len(text),
        builder.seg_norm,
        builder.seg_orig,
        builder.seg_orig_end,
        bytes(builder.seg_linear),
    )
