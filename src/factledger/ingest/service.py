"""Storing a document's candidate claims in the ledger: the use-case behind ``factledger ingest``.

Idempotent by content hash: ingesting the same document again changes nothing. A candidate whose
normalised text is already a claim becomes a new appearance of that claim, never a second copy; a new
claim that is nearly the same as an existing one is stored with a ``claim.similar`` suggestion
(see ``similar``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from factledger.ingest.pipeline import Candidate, extract_candidates
from factledger.ingest.reader import SourceDocument
from factledger.ingest.similar import SimilarClaim, suggest_similar
from factledger.ledger.claims import ClaimDraft, add_appearance, add_claim, find_claim_by_text
from factledger.ledger.documents import add_document
from factledger.ledger.models import Claim, Document


@dataclass
class StoredCandidate:
    candidate: Candidate
    claim: Claim
    created: bool
    similar: list[SimilarClaim] = field(default_factory=list)


@dataclass
class IngestReport:
    document: Document
    document_created: bool
    candidates_seen: int = 0
    stored: list[StoredCandidate] = field(default_factory=list)

    @property
    def claims_created(self) -> int:
        return sum(1 for item in self.stored if item.created)

    @property
    def claims_linked(self) -> int:
        return sum(1 for item in self.stored if not item.created)


def ingest_document(session: Session, actor: str, source: SourceDocument, min_score: float) -> IngestReport:
    document, created = add_document(
        session, actor, source.body, title=source.title, url=source.url, published=source.published
    )
    report = IngestReport(document=document, document_created=created)
    if not created:
        return report
    candidates = extract_candidates(source, min_score=min_score)
    report.candidates_seen = len(candidates)
    for candidate in candidates:
        if candidate.score < min_score:
            continue
        existing = find_claim_by_text(session, candidate.text)
        if existing is not None:
            add_appearance(session, actor, existing.id, document.id, candidate.start, candidate.end)
            report.stored.append(StoredCandidate(candidate, existing, created=False))
            continue
        claim = add_claim(
            session,
            actor,
            ClaimDraft(
                text=candidate.text,
                speaker=candidate.speaker,
                quoted_text=candidate.quote,
                dates=list(candidate.dates) or None,
                document_id=document.id,
                span_start=candidate.start,
                span_end=candidate.end,
                score=round(candidate.score, 3),
                score_reasons=list(candidate.reasons) or None,
            ),
        )
        similar = suggest_similar(session, actor, claim.id, claim.text)
        report.stored.append(StoredCandidate(candidate, claim, created=True, similar=similar))
    return report
