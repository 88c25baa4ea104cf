"""Storing a document's candidate claims in the ledger: the use-case behind ``factledger ingest``.

Idempotent by content hash: ingesting the same document again changes nothing. A candidate whose
normalized text is already a claim becomes a new appearance of that claim, never a second copy; a new
claim that is nearly the same as an existing one is stored with a ``claim.similar`` suggestion
(see ``similar``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from factledger.ingest.metadata import read_metadata
from factledger.ingest.pipeline import Candidate, extract
from factledger.ingest.reader import SourceDocument
from factledger.ingest.similar import SimilarClaim, find_similar_batch, similar_events
from factledger.ledger.audit import NewEvent
from factledger.ledger.bulk.document_claims import FoundClaim, add_document_claims
from factledger.ledger.claims import HEADLINE, ClaimDraft, claims_by_id
from factledger.ledger.documents import add_document
from factledger.ledger.rows import Claim, Document


@dataclass
class StoredCandidate:
    candidate: Candidate
    claim: Claim
    created: bool
    similar: list[SimilarClaim] = field(default_factory=list)
    # "headline" when the candidate is the document's headline (its span is then in the title).
    role: str | None = None


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
    # The document's event is recorded with its claims', in one append. Its byline, dateline and date
    # line fill the Document (reading them costs little next to finding the claims).
    metadata = read_metadata(source)
    pending: list[NewEvent] = []
    document, created = add_document(
        session,
        actor,
        source.body,
        title=metadata.title,
        url=source.url,
        published=metadata.published,
        author=metadata.author,
        place=metadata.place,
        pending_events=pending,
    )
    report = IngestReport(document=document, document_created=created)
    if not created:
        return report
    extraction = extract(source, min_score=min_score, metadata=metadata)
    candidates = extraction.candidates
    report.candidates_seen = len(candidates) + (extraction.headline is not None)
    kept = [candidate for candidate in candidates if candidate.score >= min_score]
    roles: list[str | None] = [None] * len(kept)
    if extraction.headline is not None:
        # The headline is stored linked as the headline (its span is in the title), first as it is read.
        kept.insert(0, extraction.headline)
        roles.insert(0, HEADLINE)
    drafts = [
        ClaimDraft(
            text=candidate.text,
            speaker=candidate.speaker,
            speaker_kind=candidate.speaker_kind,
            quoted_text=candidate.quote,
            dates=list(candidate.dates) or None,
            document_id=document.id,
            span_start=candidate.start,
            span_end=candidate.end,
            score=round(candidate.score, 3),
            score_reasons=list(candidate.reasons) or None,
            score_model=candidate.score_model,
            role=role,
        )
        for candidate, role in zip(kept, roles, strict=True)
    ]
    similar: dict[int, list[SimilarClaim]] = {}

    def suggest_near_duplicates(found: list[FoundClaim]) -> dict[int, list[NewEvent]]:
        # Runs once the new claims are inserted; its events are recorded with the batch's own.
        new = [
            (item.claim_id, candidate.text)
            for item, candidate in zip(found, kept, strict=True)
            if item.created
        ]
        similar.update(find_similar_batch(session, new))
        return {claim_id: similar_events(claim_id, items) for claim_id, items in similar.items()}

    found = add_document_claims(
        session, actor, document.id, drafts, follow_up=suggest_near_duplicates, leading_events=pending
    )
    claims = claims_by_id(session, {item.claim_id for item in found})
    report.stored = [
        StoredCandidate(
            candidate,
            claims[item.claim_id],
            item.created,
            similar[item.claim_id] if item.created else [],
            role,
        )
        for item, candidate, role in zip(found, kept, roles, strict=True)
    ]
    return report
