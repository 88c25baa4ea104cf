"""Documents in, candidate claims out: segment, find dates and speakers, score, keep the check-worthy.

Pure functions, no database: the ledger stores what comes out of here, the CLI ranks and prints it.
"""

from __future__ import annotations

from dataclasses import dataclass

from factledger.ingest.dates import DateMention, find_dates, last_year_cue
from factledger.ingest.reader import SourceDocument
from factledger.ingest.scoring import DEFAULT_MIN_SCORE, score_sentences
from factledger.ingest.sentences import split_sentences
from factledger.ingest.speakers import find_attribution

__all__ = ["DEFAULT_MIN_SCORE", "Candidate", "extract_candidates"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A check-worthy sentence; ``document.body[start:end] == text``."""

    text: str
    start: int
    end: int
    score: float
    reasons: list[str]
    speaker: str | None
    quote: str | None
    dates: list[str]
    score_model: str


def extract_candidates(document: SourceDocument, *, min_score: float = DEFAULT_MIN_SCORE) -> list[Candidate]:
    """Candidate claims scoring at least ``min_score``, in document order (the caller ranks them).

    Pass ``min_score=0.0`` to see every sentence with its score.
    """
    # Year-less dates are read in the light of everything written before the sentence ("last year"). Only
    # the latest year cue matters, so carry that forward instead of re-reading the whole prefix each time.
    context = ""
    sentences, mentions, attributions = [], [], []
    for sentence in split_sentences(document.body):
        sentences.append(sentence)
        mentions.append(find_dates(sentence.text, document.published, context))
        context = last_year_cue(sentence.text) or context
        attributions.append(find_attribution(sentence.text))
    scores = score_sentences([sentence.text for sentence in sentences], attributions)  # one batch
    candidates: list[Candidate] = []
    for sentence, found_dates, attribution, score in zip(
        sentences, mentions, attributions, scores, strict=True
    ):
        if score.value < min_score:
            continue
        candidates.append(
            Candidate(
                text=sentence.text,
                start=sentence.start,
                end=sentence.end,
                score=score.value,
                reasons=list(score.reasons),
                speaker=attribution.speaker if attribution else None,
                quote=attribution.quote if attribution else None,
                dates=_specific_dates(found_dates),
                score_model=score.model,
            )
        )
    return candidates


def _specific_dates(mentions: list[DateMention]) -> list[str]:
    """The sentence's dates, most specific only: "last year … on November 20" is dated 2023-11-20.

    A period that contains another mention adds nothing a reviewer needs, and the ledger's claim date
    should be the day the claim is about.
    """
    kept = [
        mention
        for mention in mentions
        if not any(
            other is not mention
            and mention.first <= other.first
            and other.last <= mention.last
            and (other.first, other.last) != (mention.first, mention.last)
            for other in mentions
        )
    ]
    return list(dict.fromkeys(mention.iso for mention in kept))
