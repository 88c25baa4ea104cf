"""Documents in, candidate claims out: reading, sentences, dates, speakers and check-worthiness.

Everything here is a pure function of the document text; storing the result is ``service``'s job.
"""

from factledger.ingest.dates import DateMention, find_dates
from factledger.ingest.pipeline import DEFAULT_MIN_SCORE, Candidate, extract_candidates
from factledger.ingest.reader import SourceDocument, parse_text, read_document
from factledger.ingest.scoring import Score, score_sentence
from factledger.ingest.sentences import SentenceSpan, split_sentences
from factledger.ingest.speakers import Attribution, find_attribution

__all__ = [
    "DEFAULT_MIN_SCORE",
    "Attribution",
    "Candidate",
    "DateMention",
    "Score",
    "SentenceSpan",
    "SourceDocument",
    "extract_candidates",
    "find_attribution",
    "find_dates",
    "parse_text",
    "read_document",
    "score_sentence",
    "split_sentences",
]
