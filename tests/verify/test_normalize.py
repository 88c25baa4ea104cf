"""normalize_for_matching: each normalization rule, and the offset map back to the original text."""

from __future__ import annotations

import random

import pytest

from factledger.verify.normalize import NormalizedText, normalize_for_matching

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("original", "normalized"),
    [
        ("“Curly” ‘quotes’ „low‟ «guillemets» ′prime″", '"curly" \'quotes\' "low" "guillemets" \'prime"'),
        ("a‐b‑c‒d–e—f―g−h", "a-b-c-d-e-f-g-h"),
        ("wait…", "wait..."),
        ("extra\u00adordinary", "extraordinary"),
        ("zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffbom", "zerowidthnonjoinerwordbom"),
        ("non\u00a0breaking\u202fnarrow\u3000ideographic", "non breaking narrow ideographic"),
        ("  runs \t of\n\n  whitespace  ", "runs of whitespace"),
        ("MiXeD CaSe STRASSE Straße", "mixed case strasse strasse"),
        ("ﬁnancial ｆｕｌｌｗｉｄｔｈ", "financial fullwidth"),
        ("recog-\nnised", "recognised"),
        ("recog\u00ad\nnised", "recognised"),
        ("a dash -\nbetween words", "a dash - between words"),
        ("year 2019-\n2020", "year 2019- 2020"),  # letter-hyphen-newline-letter only
        ("cafe\u0301", "café"),
        ("Привет, МИР", "привет, мир"),
        ("AT&amp;T", "at&amp;t"),  # entities were decoded upstream: never again here
        ("", ""),
        (" \u200b\u00a0 ", ""),
    ],
)
def test_rules(original: str, normalized: str) -> None:
    assert normalize_for_matching(original).text == normalized


def _check_span(original: str, result: NormalizedText, start: int, end: int) -> None:
    """The original span a normalized span maps to normalizes back to the same text."""
    original_start, original_end = result.original_span(start, end)
    assert normalize_for_matching(original[original_start:original_end]).text == result.text[start:end]


SAMPLE = (
    "  The Minister said: “We will not raise taxes\u00a0in 2023 — or ever…” "
    "It was an extra\u00adordinary\u200b moment.\nHe recog-\nnised Straße, ﬁnance and café\u0301.\t"
    "Цены на хлеб не будут повышены; 国家统计局表示，增长5.3%。  "
)


def test_offsets_round_trip_for_every_word_span() -> None:
    result = normalize_for_matching(SAMPLE)
    words = [(i, i + len(w)) for i, w in _words(result.text)]
    for (start, _), (_, end) in zip(words, words[3:], strict=False):
        _check_span(SAMPLE, result, start, end)


def test_offsets_round_trip_for_random_substrings() -> None:
    rng = random.Random(5)
    alphabet = "ab CD-\n\u00a0\u00ad\u200b“”—…ﬁßéП国\t"
    for _ in range(300):
        original = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        result = normalize_for_matching(original)
        assert len(result.offsets()) == len(result.text)
        assert all(0 <= offset < len(original) for offset in result.offsets())
        assert result.offsets() == sorted(result.offsets())
        if not result.text:
            continue
        start = rng.randrange(len(result.text))
        end = rng.randint(start + 1, len(result.text))
        original_start, original_end = result.original_span(start, end)
        assert 0 <= original_start < original_end <= len(original)
        # A span's own normalization contains the normalized span (the edges may add a joined hyphen
        # or trimmed space, never different text).
        assert (
            result.text[start:end].strip()
            in normalize_for_matching(original[original_start:original_end]).text
        )


def test_offsets_point_at_the_source_characters() -> None:
    original = "“Hello”\u00a0\u00a0wörld…"
    result = normalize_for_matching(original)
    assert result.text == '"hello" wörld...'
    assert [original[i] for i in result.offsets()] == [*list("“Hello”\xa0wörld…"), "…", "…"]
    assert result.original_span(8, 16) == (9, 15)  # "wörld..." is "wörld…"
    assert result.original_span(7, 8) == (7, 9)  # the one space stands for both nbsp


def test_stored_mapping_restores_the_same_map() -> None:
    result = normalize_for_matching(SAMPLE)
    restored = NormalizedText.from_stored(result.text, result.mapping_bytes())
    assert restored == result
    assert restored.offsets() == result.offsets()


def test_out_of_range_spans_are_refused() -> None:
    result = normalize_for_matching("abc")
    with pytest.raises(ValueError, match="outside"):
        result.original_span(1, 5)
    with pytest.raises(IndexError):
        result.original_index(3)


def _words(text: str) -> list[tuple[int, str]]:
    out, position = [], 0
    for word in text.split(" "):
        out.append((position, word))
        position += len(word) + 1
    return out
