"""Documents in, candidate claims out: segment, find dates and speakers, score, keep the check-worthy.

Pure functions, no database: the ledger stores what comes out of here, the CLI ranks and prints it.
The document's own metadata (byline, "Published …" line, dateline, transcript labels) is read first
(``metadata``): it fills the Document, anchors the dates, and is never split into sentences. A quoted
opinion (``opinions``) is kept out with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from factledger.ingest.attribution import Speaker, SpeakerResolver
from factledger.ingest.dates import DateMention, find_dates, last_year_cue
from factledger.ingest.metadata import DocumentMetadata, read_metadata, turn_at
from factledger.ingest.opinions import quoted_opinion
from factledger.ingest.reader import SourceDocument
from factledger.ingest.scoring import DEFAULT_MIN_SCORE, Score, score_sentences
from factledger.ingest.sentences import SentenceSpan, split_sentences
from factledger.ingest.speakers import Attribution, find_quotes
from factledger.ledger.claims import SpeakerKind

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
    speaker_kind: SpeakerKind | None = None
    score_model: str | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """What ingest reads from one document: its metadata and its candidate claims."""

    metadata: DocumentMetadata
    candidates: list[Candidate]


@dataclass(frozen=True, slots=True)
class _ReadSentence:
    """A sentence with what was read from it before scoring: its dates and who said it."""

    sentence: SentenceSpan
    mentions: list[DateMention]
    attribution: Attribution | None
    speaker: Speaker | None


def extract_candidates(document: SourceDocument, *, min_score: float = DEFAULT_MIN_SCORE) -> list[Candidate]:
    """Candidate claims scoring at least ``min_score``, in document order (the caller ranks them).

    Pass ``min_score=0.0`` to see every sentence with its score.
    """
    return extract(document, min_score=min_score).candidates


def extract(
    document: SourceDocument,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    metadata: DocumentMetadata | None = None,
) -> Extraction:
    """The document's metadata (read here unless given) and its candidate claims (``extract_candidates``)."""
    metadata = metadata or read_metadata(document)
    speakers = SpeakerResolver(metadata.prose)
    # Year-less dates are read in the light of everything written before the sentence ("last year"). Only
    # the latest year cue matters, so carry that forward instead of re-reading the whole prefix each time.
    context = ""
    voice: str | None = None
    read: list[_ReadSentence] = []
    for sentence in split_sentences(metadata.prose):
        turn = turn_at(metadata, sentence.start) if metadata.turns else None
        if turn is not None and turn.label != voice:
            # In a transcript, one voice's "last year" does not date the next voice's answer.
            voice, context = turn.label, ""
        mentions = find_dates(sentence.text, metadata.published, context)
        context = last_year_cue(sentence.text) or context
        attribution, speaker = speakers.resolve(
            sentence.text, sentence.start, sentence.end, turn_label=turn.label if turn else None
        )
        read.append(_ReadSentence(sentence, mentions, attribution, speaker))
    # The model scores the whole document in one batch: per-sentence calls would redo its set-up. Dates read
    # against the publication day are the model's date features too; without that day, year-less dates
    # were left out above, so the model finds its own.
    scores = score_sentences(
        [item.sentence.text for item in read],
        [item.attribution for item in read],
        [item.mentions if metadata.published is not None else None for item in read],
    )
    candidates: list[Candidate] = []
    for item, score in zip(read, scores, strict=True):
        sentence, attribution, speaker = item.sentence, item.attribution, item.speaker
        opinion = quoted_opinion(sentence.text, find_quotes(sentence.text)) if score.value else None
        if opinion is not None:
            # An opinion in quotation marks is still an opinion: never a claim, whatever else it holds.
            score = Score(0.0, [*score.reasons, f"quoted opinion ({opinion})"], score.model)
        if score.value < min_score:
            continue
        candidates.append(
            Candidate(
                text=sentence.text,
                start=sentence.start,
                end=sentence.end,
                score=score.value,
                reasons=list(score.reasons),
                speaker=speaker.name if speaker else None,
                quote=attribution.quote if attribution else None,
                dates=_specific_dates(item.mentions),
                speaker_kind=speaker.kind if speaker else None,
                score_model=score.model,
            )
        )
    return Extraction(metadata, candidates)


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
