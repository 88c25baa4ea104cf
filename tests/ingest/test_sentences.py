"""Sentence spans must be exact: a claim's (start, end) is how every later step finds its words."""

from __future__ import annotations

import random
from pathlib import Path

import pysbd
import pytest
from pysbd.lang.english import English

from factledger.ingest import sentences
from factledger.ingest.reader import read_document
from factledger.ingest.sentences import SentenceSpan, split_sentences

pytestmark = pytest.mark.unit

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "articles"
    / "2024-01-14-us-mediation-armenia-azerbaijan.txt"
)


def assert_exact(body: str, spans: list[SentenceSpan]) -> None:
    """Exact, trimmed, ordered, non-overlapping, and covering every non-space character of the body."""
    previous_end = 0
    for span in spans:
        assert body[span.start : span.end] == span.text
        assert span.text == span.text.strip()
        assert span.text
        assert span.start >= previous_end
        assert not body[previous_end : span.start].strip(), f"text lost before {span.text!r}"
        previous_end = span.end
    assert not body[previous_end:].strip()


def texts(body: str) -> list[str]:
    return [span.text for span in split_sentences(body)]


def test_sample_article_spans_are_exact() -> None:
    body = read_document(SAMPLE).body
    spans = split_sentences(body)
    assert_exact(body, spans)
    # Counted by hand: 2 + 5 + 4 + 5 + 6 + 8 sentences in the six paragraphs.
    assert len(spans) == 30
    assert all("\n\n" not in span.text for span in spans)


def test_sample_keeps_multi_sentence_quotation_in_one_sentence() -> None:
    body = read_document(SAMPLE).body
    quoted = [span.text for span in split_sentences(body) if span.text.startswith("Blinken’s statements")]
    assert len(quoted) == 1
    assert quoted[0].endswith("to reach agreement.”")
    assert "But I very much appreciate" in quoted[0]


def test_abbreviations_do_not_end_sentences() -> None:
    body = "Mr. Smith met Dr. Jones in the U.S. capital on Monday. They talked.\nThe U.S. Department said so."
    spans = split_sentences(body)
    assert_exact(body, spans)
    assert [span.text for span in spans] == [
        "Mr. Smith met Dr. Jones in the U.S. capital on Monday.",
        "They talked.",
        "The U.S. Department said so.",
    ]


def test_curly_quotes_with_inner_full_stops_stay_whole() -> None:
    body = "He said: “We are ready. We will sign.” Then he left. “Yes,” she said."
    assert texts(body) == ["He said: “We are ready. We will sign.”", "Then he left.", "“Yes,” she said."]


def test_ellipses_both_spellings() -> None:
    body = "He paused… then spoke. She waited... and waited. Done."
    spans = split_sentences(body)
    assert_exact(body, spans)
    assert [span.text for span in spans] == ["He paused… then spoke.", "She waited... and waited.", "Done."]


def test_newlines_inside_a_paragraph_are_kept_in_the_text_but_do_not_split() -> None:
    body = "The talks were\nheld in Munich. Blinken\nattended."
    spans = split_sentences(body)
    assert_exact(body, spans)
    assert [span.text for span in spans] == ["The talks were\nheld in Munich.", "Blinken\nattended."]


def test_blank_line_is_a_hard_boundary() -> None:
    # Without the paragraph split the unpunctuated heading would merge into the next sentence.
    body = "A heading without a full stop\n\nThe first sentence. The second.\n \t\nLast paragraph"
    spans = split_sentences(body)
    assert_exact(body, spans)
    assert [span.text for span in spans] == [
        "A heading without a full stop",
        "The first sentence.",
        "The second.",
        "Last paragraph",
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Он сказал, что всё хорошо. Это правда! Мы поедем завтра.", 3),
        ("我今天很高兴。你呢？我们走吧！", 3),
        ("Հայաստանը փոքր երկիր է։ Մենք սիրում ենք այն։", 2),
        ("Mixed text. Он сказал «да». 他说是。", 3),
    ],
)
def test_non_latin_scripts(body: str, expected: int) -> None:
    spans = split_sentences(body)
    assert_exact(body, spans)
    assert len(spans) == expected


def test_repeated_identical_sentences_get_their_own_offsets() -> None:
    body = "Same. Same.\n\nSame. Other. Same."
    spans = split_sentences(body)
    assert_exact(body, spans)
    assert [(span.text, span.start) for span in spans] == [
        ("Same.", 0),
        ("Same.", 6),
        ("Same.", 13),
        ("Other.", 19),
        ("Same.", 26),
    ]


def test_leading_and_trailing_whitespace_is_outside_the_spans() -> None:
    body = "  \n   Hello there.   General Kenobi.  \n\n  \t"
    spans = split_sentences(body)
    assert_exact(body, spans)
    assert [(span.text, span.start, span.end) for span in spans] == [
        ("Hello there.", 6, 18),
        ("General Kenobi.", 21, 36),
    ]


@pytest.mark.parametrize("body", ["", "   ", "\n\n\n"])
def test_empty_bodies_have_no_sentences(body: str) -> None:
    assert split_sentences(body) == []


def _rewriting_pysbd(text: str) -> list[str]:
    """Stands in for pysbd returning text that is not a verbatim substring of its input."""
    del text
    return ["One  two.", "three four", "NOT IN THE TEXT", "x"]


def test_segments_that_do_not_match_verbatim_still_map_to_exact_spans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sentences, "_pysbd_sentences", _rewriting_pysbd)
    body = "One two.   “three four. Five six."
    spans = split_sentences(body)
    assert_exact(body, spans)
    # "One  two." matches despite the doubled space; the skipped "“" joins the next sentence; when a
    # segment cannot be found the rest of the paragraph becomes one sentence.
    assert [span.text for span in spans] == ["One two.", "“three four", ". Five six."]


def test_a_paragraph_longer_than_one_segmenter_window_splits_like_a_short_one() -> None:
    unit = "Mr. Smith met Dr. Jones in the U.S. on May 3. He said: “We agree. Fully.” Then they left. "
    body = unit * 150  # about 13,500 characters in one paragraph, so several windows
    spans = split_sentences(body)
    assert_exact(body, spans)
    assert [span.text for span in spans] == [span.text for span in split_sentences(unit)] * 150


def test_pysbd_is_asked_for_the_same_sentences_that_segment_returns() -> None:
    # split_sentences skips Segmenter.segment's span search and calls its processor directly; this holds
    # the shortcut to what segment itself returns, should a pysbd release change what it does.
    segmenter = pysbd.Segmenter(language="en", clean=False)
    paragraphs = [p for p in read_document(SAMPLE).body.split("\n\n") if p.strip()]
    paragraphs.append(
        "Mr. Smith met Dr. Jones in the U.S. on May 3. He said: “We agree. Fully.” Then they left."
    )
    for paragraph in paragraphs:
        expected = [sentence.strip() for sentence in segmenter.segment(paragraph)]
        assert [sentence.strip() for sentence in sentences._pysbd_sentences(paragraph)] == expected


# Abbreviations pysbd knows, written with and without their period, before capitals, lowercase words,
# figures, colons and brackets, as the start of common words ("co" in "could", "st" in "first"), in
# capitals, with periods inside, and with letters that match ASCII ones only caselessly ("ſt", "İNC").
ABBREVIATION_TEXT = (
    "Gen. Lund and Prof. Ines Moreau of Acme Co. met Sen. Grimes at 9 a.m. on St. Mark's Day. "
    "The first vote could come in Nov. or Dec. at the latest, no. 4 on the list said. "
    "Acme Rail Inc. said it cut 900 jobs (vs. 1,200 in 2023); the dept. disagreed: "
    "see fig. 3 and p. 12 for details. No. 10 is where Mr. Jones, Jr. works, cf. the U.S. "
    "Dr. Okafor, Ph.D., said st. and co. are lowercase here. Mt. Hood is 3,429 m tall, approx. "
    "That is all. Ft. Worth vs. Dallas: a 2-1 win. The est. cost was $2 bn. Capt. Bell asked: "
    "“Is Vol. 2 out?” Yes. The Ave. was closed. The ſt. of an old print stays as written. "
    "BOLT İNC. and Acme CO. said so, as did ST. JOHN'S; NO. 7 and e.g. U.S. and i.e. Ph.D. too."
)


@pytest.mark.parametrize(
    "paragraph",
    [
        ABBREVIATION_TEXT,
        *ABBREVIATION_TEXT.split(". "),
        *[
            p
            for path in sorted((Path(__file__).resolve().parents[1] / "fixtures" / "news").glob("*.txt"))
            for p in path.read_text(encoding="utf-8").split("\n\n")
            if p.strip()
        ],
    ],
)
def test_the_spared_abbreviation_step_gives_stock_pysbd_sentences(paragraph: str) -> None:
    # sentences._English skips pysbd's abbreviation scans and substitutions where the abbreviation has no
    # period after it; the sentences, whitespace and all, must be stock pysbd's.
    stock = pysbd.Segmenter(language="en", clean=False)
    assert sentences._pysbd_sentences(paragraph) == stock.processor(paragraph).process()


# What pysbd_processor.py changes must change no sentence: pieces that each of pysbd's rules reacts to
# (list markers of every kind, ellipses, quotes and brackets, doubled punctuation, abbreviations, numbers,
# e-mail addresses, file names, placeholders' look-alikes, line breaks), drawn at random into paragraphs.
ORACLE_PIECES = [
    *str.split("""
    Mr. Dr. U.S. a. b. c. d. (a) (b) (c) a) b) i. ii. iii. iv. (i) (ii) (iii) 1. 2. 3. 9. 10. 1) 2) 3)
    ... .... !! ?! ?? ! ? “ ” " ' ‘ ’ ( ) [ ] « » -- — : ; , Yahoo! e.g. i.e. Ph.D. a.m. p.m. No. no. St.
    Co. Inc. vs. fig. p. pp. Jan. 3.5 1,200 $2 % example.com a@b.org file.txt ſt. İNC. 。 ． ！ ？ The said
    He It In We minister could first not A I Millions word x y z v. V. 9:30 ∯ ♨ ☝ ƪ ǃKung Y!J (iv) (xii) P.M. A.M. KG 45°. N°. [12] [3,4] !!! study.3 cited.[12]
    """),
    *[". . .", "\n", "\r", "\t", "  ", "\n\n"],
]


def _oracle_paragraphs(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(count):
        text = " ".join(rng.choice(ORACLE_PIECES) for _ in range(rng.randint(1, 40)))
        if rng.random() < 0.3:  # pieces run together too ("a.b.", "(i)1.")
            text = text.replace(" ", "", rng.randint(1, 5))
        paragraphs.append(text)
    return paragraphs


@pytest.mark.parametrize("seed", range(4))
def test_the_compiled_rule_processor_gives_stock_pysbd_sentences_on_varied_text(seed: int) -> None:
    stock = pysbd.Segmenter(language="en", clean=False)
    for paragraph in _oracle_paragraphs(500, seed):
        assert sentences._pysbd_sentences(paragraph) == stock.processor(paragraph).process(), paragraph


@pytest.mark.parametrize(
    "paragraph",
    [
        "Options: a. one b. two c. three. Then i. first ii. second iii. third.",
        "Options: (a) one (b) two (c) three. And a) x b) y. Roman (i) one (ii) two (iii) three.",
        "Steps 1. mix 2. stir 3. bake. Steps 1) mix 2) stir 3) bake. He paid $3.50 for 2.5 kg.",
        "Wait... what? Really?! No!! “Go. Now.” he said . . . and left.... Then (see p. 4.) it ended.",
    ],
)
def test_list_markers_and_punctuation_give_stock_pysbd_sentences(paragraph: str) -> None:
    stock = pysbd.Segmenter(language="en", clean=False)
    assert sentences._pysbd_sentences(paragraph) == stock.processor(paragraph).process()


@pytest.mark.parametrize("seed", range(2))
def test_abbreviations_to_scan_are_those_the_loop_would_not_skip(seed: int) -> None:
    # The loop's own tests, one abbreviation at a time: present, and (letters and digits only) with a period.
    texts = [ABBREVIATION_TEXT, ABBREVIATION_TEXT.upper(), ".no", "no.", "usafa. dr.philos u.s", "x" * 50]
    for text in [*texts, *_oracle_paragraphs(300, seed)]:
        lowered = text.lower()
        expected = [
            abbr
            for abbr in (abbr.strip() for abbr in English.Abbreviation.ABBREVIATIONS)
            if abbr in lowered and (not abbr.isalnum() or f"{abbr}." in lowered)
        ]
        assert sentences._abbreviations_to_scan(lowered) == expected, text
