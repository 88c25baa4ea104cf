"""Documents in, candidate claims out: segment, find dates and speakers, score, keep the check-worthy.

Pure functions, no database: the ledger stores what comes out of here, the CLI ranks and prints it.
The document's own metadata (byline, "Published …" line, dateline, transcript labels) is read first
(``metadata``): it fills the Document, anchors the dates, and is never split into sentences. A quoted
or reported opinion (``opinions``) is kept out with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from factledger.ingest.attribution import Speaker, SpeakerResolver, speaker_kind
from factledger.ingest.dates import DateMention, find_dates, last_year_cue
from factledger.ingest.metadata import DocumentMetadata, read_metadata, turn_at
from factledger.ingest.opinions import opinion_of
from factledger.ingest.reader import SourceDocument
from factledger.ingest.scoring import DEFAULT_MIN_SCORE, Score, score_sentences
from factledger.ingest.sentences import SentenceSpan, split_sentences
from factledger.ingest.speakers import Attribution, find_attribution, find_quotes
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
    """What ingest reads from one document: its metadata, its candidate claims and its headline's.

    ``headline`` is the document's title as a candidate claim, when it is check-worthy: its offsets are
    in the title (``metadata.title[start:end] == text``), never in the body, and it is stored linked as
    the headline. A body sentence that only repeats the headline is not a candidate.
    """

    metadata: DocumentMetadata
    candidates: list[Candidate]
    headline: Candidate | None = None


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
    title = metadata.title.strip() if document.title_is_headline else ""
    title_attribution = find_attribution(title) if title else None
    # The model scores the whole document in one batch: per-sentence calls would redo its set-up. Dates read
    # against the publication day are the model's date features too; without that day, year-less dates
    # were left out above, so the model finds its own (as it does for the headline).
    scores = score_sentences(
        [item.sentence.text for item in read] + ([title] if title else []),
        [item.attribution for item in read] + ([title_attribution] if title else []),
        [item.mentions if metadata.published is not None else None for item in read]
        + ([None] if title else []),
    )
    headline_score = scores.pop() if title else None
    candidates: list[Candidate] = []
    for item, score in zip(read, scores, strict=True):
        sentence, attribution, speaker = item.sentence, item.attribution, item.speaker
        if title and _same_words(sentence.text, title):
            continue  # the headline repeated as the body's first line is the headline, not a body claim
        opinion = opinion_of(sentence.text, find_quotes(sentence.text)) if score.value else None
        if opinion is not None:
            # An opinion in quotation marks, or reported, is still an opinion: never a claim.
            score = Score(0.0, [*score.reasons, f"opinion ({opinion})"], score.model)
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
    body_speakers = [item.speaker for item in read if item.speaker is not None]
    headline = (
        _headline(title, title_attribution, headline_score, metadata, min_score, body_speakers)
        if headline_score is not None
        else None
    )
    return Extraction(metadata, candidates, headline)


def _headline(
    title: str,
    attribution: Attribution | None,
    score: Score,
    metadata: DocumentMetadata,
    min_score: float,
    body_speakers: list[Speaker],
) -> Candidate | None:
    """The headline as a candidate claim, or None when it is not check-worthy or is an opinion.

    Only a speaker the headline names counts ("Acme Rail says …"): "says transit chief" points at a
    person the body has not named yet. The body, which says more, gives the name in full and its kind
    ("Okafor" is "Daniel Okafor"; "Kelso Foods" is the organisation "the company" refers to).
    """
    if score.value < min_score or opinion_of(title, find_quotes(title)) is not None:
        return None
    speaker: Speaker | None = None
    if attribution is not None and attribution.speaker[:1].isupper():
        name = attribution.speaker
        speaker = next(
            (found for found in body_speakers if found.name == name or found.name.endswith(f" {name}")),
            Speaker(name, speaker_kind(name, attribution.role, title)),
        )
    return Candidate(
        text=title,
        start=0,
        end=len(title),
        score=score.value,
        reasons=[*score.reasons, "headline"],
        speaker=speaker.name if speaker else None,
        quote=attribution.quote if attribution is not None else None,
        dates=_specific_dates(find_dates(title, metadata.published)),
        speaker_kind=speaker.kind if speaker else None,
        score_model=score.model,
    )


def _same_words(sentence: str, title: str) -> bool:
    return sentence.split() == title.split() or sentence.rstrip(".").split() == title.rstrip(".").split()


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
