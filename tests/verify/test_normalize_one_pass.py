"""The one-pass normalization gives exactly what the regex scan it replaced gave.

``normalize_for_matching`` used to find the places that change with one ``_SPECIAL.finditer`` over the
whole text and to add every lone tab or newline as a segment of its own. It now finds the same places with
C-speed scans (``_special_matches``) and folds lone blanks into the ASCII stretch around them. The old
function is kept here, word for word, as the oracle: on a varied corpus and on Hypothesis' texts, both
give the same normalized text and map every normalized character to the same original offsets (the
segments may be fewer, never different in meaning), and the matches found are the same.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factledger.text import extract_text
from factledger.verify import normalize
from factledger.verify.normalize import NormalizedText, normalize_for_matching

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def old_normalize_for_matching(text: str) -> NormalizedText:
    """The implementation before the one-pass scan (it shares the unchanged pattern and folding)."""
    builder = normalize._Builder()
    position = len(text) - len(text.lstrip(normalize._STRIPPABLE))
    stop = len(text.rstrip(normalize._STRIPPABLE))
    for match in normalize._SPECIAL.finditer(text, position, stop):
        start, end = match.span()
        run = match.group()
        first = run[0]
        if first == "-" or (
            first in normalize._OTHER_HYPHENS and normalize._joins_line_break(text, start, end)
        ):
            kind = "join"
        elif first in normalize._WHITE_CHARS:
            kind = "space"
        else:
            kind = "wide"
            if start > position and unicodedata.combining(first) and text[start - 1].isascii():
                start -= 1
                run = text[start:end]
        if start > position:
            builder.add(text[position:start].lower(), position, start, linear=True)
        if kind == "space" and not normalize._INVISIBLE_CHARS.issuperset(run):
            builder.add(" ", start, end, linear=end - start == 1)
        elif kind == "wide":
            builder.add_folded(run, start)
        position = end
    if position < stop:
        builder.add(text[position:stop].lower(), position, stop, linear=True)
    return NormalizedText(
        "".join(builder.pieces),
        len(text),
        builder.seg_norm,
        builder.seg_orig,
        builder.seg_orig_end,
        bytes(builder.seg_linear),
    )


def assert_same(text: str) -> None:
    new, old = normalize_for_matching(text), old_normalize_for_matching(text)
    assert new.text == old.text
    assert new.original_length == old.original_length
    assert [new.original_index(i) for i in range(len(new.text))] == old.offsets()
    assert [new.original_end(i) for i in range(len(new.text))] == [
        old.original_end(i) for i in range(len(old.text))
    ]
    # The stored form round-trips to the same answers.
    stored = NormalizedText.from_stored(new.text, new.mapping_bytes())
    assert stored.offsets() == old.offsets()
    # The places that change are exactly the ones the whole-text regex scan finds.
    position = len(text) - len(text.lstrip(normalize._STRIPPABLE))
    stop = len(text.rstrip(normalize._STRIPPABLE))
    found = [m.span() for m in normalize._special_matches(text, position, stop)]
    everything = [m.span() for m in normalize._SPECIAL.finditer(text, position, stop)]
    assert found == everything
    # A Latin-1 text's scan over flag bytes finds the same, but for the lone tab-to-CR blanks (a single
    # one between two non-blanks), which normalize_for_matching leaves to the ASCII stretch's translate.
    flags = normalize._latin1_flags(text)
    if flags is not None:
        found = [m.span() for m in normalize._latin1_special_matches(text, position, stop, *flags)]
        assert found == [(a, b) for a, b in everything if not (b - a == 1 and text[a] in "\t\n\x0b\x0c\r")]


# The characters every rule is about, and their neighbours: ASCII letters, digits and punctuation, every
# kind of blank, hyphens and dashes, invisible characters, quotes, ligatures, fullwidth forms, combining
# marks, letters that fold to two (ß), Cyrillic, Greek, CJK, Thai, emoji and a lone surrogate.
ALPHABET = (
    "aZe Q9-.,\"'!?()[]&;:/"
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
    "\u00a0\u1680\u2000\u2009\u202f\u205f\u3000\u2028\u2029\u0085"
    "\u00ad\u200b\u200c\u200d\u2060\ufeff"
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
    "“”„‟«»″〝〞＂‘’‚‛′‹›＇`´…"
    "ﬁﬂﬀ㎏①ｆＦ"
    "\u0301\u0308\u0327\u20dd\u1ab0"
    "ßİıΣσςéÉ"
    "Привет мир Ελλάδα 国家统计局 ภาษาไทย 😀\ud800"
)


def _random_text(rng: random.Random, length: int) -> str:
    # Mostly words and single spaces, as real text is, with the special characters sprinkled in.
    pieces: list[str] = []
    while sum(map(len, pieces)) < length:
        roll = rng.random()
        if roll < 0.5:
            pieces.append(
                "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABC") for _ in range(rng.randint(1, 9)))
            )
        elif roll < 0.75:
            pieces.append(" ")
        else:
            pieces.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 4))))
    return "".join(pieces)


CASES = [
    "",
    " ",
    "\n",
    "-",
    "a-\nb",
    "a -\n b",
    "a  \n\tb",
    "word \nword",
    "word\n word",
    "end  ",
    "  start",
    "two  spaces  and   three",
    "lone\ttab and\nnewline\rand\x0bvt\x0cff\x1cfs",
    "1-\n2 a-\n2 a-\n\n b 9-\nz",
    "recog\u00ad\nnised extra\u00adordinary re\u2010\ncog re\u2010cog",
    "a \u200b b \u200b\u200b c\u200b\nd",
    "cafe\u0301 e\u0301 \u0301x \n\u0301",
    "line one\nline two\n\nline four \nline\t \tfive\r\nsix\x0bseven \x85eight\n\xa0nine\xa0\n\xad\nten\x1c\x1d",
    "ﬁnance… “quoted” ‘single’ — dash",
    "Straße STRASSE İstanbul",
    "Привет, МИР  国家统计局表示，增长5.3%。 \u3000 ok",
    "\ufeffBOM at start and end\ufeff",
    "x\u00a0\u00a0y\u00a0z",
    "mixed \t\u00a0\n\u3000 run",
]


@pytest.mark.parametrize("text", CASES)
def test_same_as_before_on_the_cases(text: str) -> None:
    assert_same(text)


def test_same_as_before_on_a_random_corpus() -> None:
    rng = random.Random(16)
    for _ in range(400):
        assert_same(_random_text(rng, rng.randint(0, 400)))


def _fixture_texts() -> list[str]:
    """The news fixtures, and the text extracted from every quote-corpus page (many scripts and forms)."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "news").glob("*.txt"))]
    for path in sorted((FIXTURES / "quotes" / "pages").iterdir()):
        content_type = "application/pdf" if path.suffix == ".pdf" else "text/html; charset=utf-8"
        extracted = extract_text(path.read_bytes(), [("Content-Type", content_type)], main_text=False)
        texts.append(extracted.full_text or "")
    return texts


def test_same_as_before_on_the_fixture_texts() -> None:
    texts = _fixture_texts()
    assert len(texts) > 20, "the fixture texts are missing"
    assert all(texts)
    for text in texts:
        assert_same(text)
        assert_same(text.replace(" ", "  ").replace("\n", "\r\n"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=120) | st.text(max_size=60))
@example("a-\n b")
@example(" \n\u0301")
def test_same_as_before_on_any_text(text: str) -> None:
    assert_same(text)


LATIN1_ALPHABET = "aZe Q9-.,\"'!?()&;:/ \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\xad\xa9\xb4\xab\xbb\xdf\xe9\xc9\xb2\xbd\x7f\x80\x9f"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(LATIN1_ALPHABET), max_size=120) | st.text(max_size=60))
@example("a-\nb \xa0\n c\xad\nd \x85x")
def test_the_flag_bytes_mark_exactly_their_characters(text: str) -> None:
    # Latin-1 texts scan flag bytes rather than run the regexes; the flags must mark the characters they
    # stand for, and the normalization must not change with the path taken.
    flags = normalize._latin1_flags(text)
    if all(ord(char) < 256 for char in text):
        assert flags is not None
        narrow, white = flags
        assert [i for i, flag in enumerate(narrow) if flag] == [
            m.start() for m in normalize._CANDIDATE.finditer(text) if text[m.start()] not in "\t\n\x0b\x0c\r"
        ]
        assert [i for i, flag in enumerate(white) if flag] == [
            i for i, char in enumerate(text) if char.isascii() and char in normalize._WHITE_CHARS
        ]
    else:
        assert flags is None
    assert_same(text)


def test_latin1_pages_take_the_flag_path_and_normalize_as_before() -> None:
    rng = random.Random(1616)
    texts = [text for text in _fixture_texts() if all(ord(char) < 256 for char in text)]
    texts += ["".join(rng.choice(LATIN1_ALPHABET + "abcdef   ") for _ in range(2000)) for _ in range(50)]
    assert len(texts) > 50
    for text in texts:
        assert normalize._latin1_flags(text) is not None
        assert_same(text)
