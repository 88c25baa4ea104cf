"""Bulk import of claims with their evidence: the fast path behind ``import jsonl|csv``.

Callers run it inside one write transaction, so a bad record anywhere rolls the whole import back.
A claim whose normalised text is already in the ledger (or earlier in the same import) is not created
again: new evidence is attached to the existing claim instead, which makes re-running an import safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_events
from factledger.ledger.claims import claim_text_hash
from factledger.ledger.models import Claim, Evidence, core_table, utcnow
from factledger.ledger.sources import source_ids_for_urls
from factledger.ledger.statuses import ClaimStatus, Stance

CHUNK_SIZE = 2000
BULK_CACHE_KIB = 128 * 1024


@dataclass(frozen=True)
class EvidenceRecord:
    url: str  # already normalised
    stance: Stance
    quote: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ClaimRecord:
    text: str
    speaker: str | None = None
    dates: list[str] | None = None
    status: ClaimStatus = ClaimStatus.UNREVIEWED
    score: float | None = None
    rationale: str | None = None
    evidence: tuple[EvidenceRecord, ...] = ()


@dataclass
class ImportStats:
    claims_created: int = 0
    claims_matched: int = 0
    evidence_added: int = 0
    sources_seen: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, int]:
        return {
            "claims_created": self.claims_created,
            "claims_matched": self.claims_matched,
            "evidence_added": self.evidence_added,
            "sources": len(self.sources_seen),
        }


def _chunks(records: Iterable[ClaimRecord], size: int) -> Iterator[list[ClaimRecord]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def import_claims(
    session: Session, actor: str, records: Iterable[ClaimRecord], *, origin: str
) -> ImportStats:
    stats = ImportStats()
    if session.get_bind().dialect.name == "sqlite":
        # A bulk import touches index pages all over the file; a bigger cache for this connection
        # keeps them in memory instead of re-reading them (about +15% at 100k claims).
        session.execute(text(f"PRAGMA cache_size=-{BULK_CACHE_KIB}"))
    for chunk in _chunks(records, CHUNK_SIZE):
        _import_chunk(session, actor, chunk, origin, stats)
    return stats


def _import_chunk(
    session: Session, actor: str, chunk: list[ClaimRecord], origin: str, stats: ImportStats
) -> None:
    hashes = [claim_text_hash(record.text) for record in chunk]
    # Newest first, so that dict() keeps the oldest claim when a text is (historically) duplicated.
    existing = (
        select(Claim.text_hash, Claim.id).where(Claim.text_hash.in_(set(hashes))).order_by(Claim.id.desc())
    )
    claim_ids: dict[str, int] = dict(session.execute(existing).all())
    matched_hashes = set(claim_ids)

    now = utcnow()
    new_rows: list[dict[str, Any]] = []
    new_hashes: dict[str, None] = {}  # insertion-ordered set
    for record, text_hash in zip(chunk, hashes, strict=True):
        if text_hash in claim_ids or text_hash in new_hashes:
            continue
        new_hashes[text_hash] = None
        new_rows.append(
            {
                "text": record.text,
                "text_hash": text_hash,
                "speaker": record.speaker,
                "dates": record.dates or None,
                "score": record.score,
                "status": record.status.value,
                "rationale": record.rationale,
                "needs_review": False,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    if new_rows:
        # executemany, then read the ids back by text hash (new hashes are unique in the ledger by
        # construction): RETURNING in parameter order would cost one INSERT per row on SQLite.
        session.execute(insert(core_table(Claim)), new_rows)
        inserted = select(Claim.text_hash, Claim.id).where(Claim.text_hash.in_(list(new_hashes)))
        claim_ids.update(session.execute(inserted).all())

    urls = {evidence.url for record in chunk for evidence in record.evidence}
    source_ids = source_ids_for_urls(session, urls)
    stats.sources_seen.update(urls)

    existing_links = _existing_evidence(session, [claim_ids[h] for h in matched_hashes])
    evidence_rows: list[dict[str, Any]] = []
    evidence_per_claim: dict[int, int] = {}
    for record, text_hash in zip(chunk, hashes, strict=True):
        claim_id = claim_ids[text_hash]
        for evidence in record.evidence:
            key = (claim_id, source_ids[evidence.url], evidence.stance.value, evidence.quote)
            if key in existing_links:
                continue
            existing_links.add(key)
            evidence_rows.append(
                {
                    "claim_id": claim_id,
                    "source_id": key[1],
                    "stance": key[2],
                    "quote": evidence.quote,
                    "note": evidence.note,
                    "quote_status": "unchecked",
                    "added_by": actor,
                    "added_at": now,
                }
            )
            evidence_per_claim[claim_id] = evidence_per_claim.get(claim_id, 0) + 1
    if evidence_rows:
        session.execute(insert(core_table(Evidence)), evidence_rows)

    status_of_new = {h: row["status"] for h, row in zip(new_hashes, new_rows, strict=True)}
    events: list[NewEvent] = []
    for text_hash in dict.fromkeys(hashes):
        claim_id = claim_ids[text_hash]
        added = evidence_per_claim.get(claim_id, 0)
        if text_hash in status_of_new:
            after: dict[str, Any] = {"status": status_of_new[text_hash], "evidence": added}
            events.append(NewEvent("claim.imported", claim_id, None, after, origin))
        elif added:
            events.append(NewEvent("evidence.imported", claim_id, None, {"evidence": added}, origin))
    append_events(session, actor, events)

    stats.claims_created += len(new_rows)
    stats.claims_matched += len(chunk) - len(new_rows)
    stats.evidence_added += len(evidence_rows)


def _existing_evidence(session: Session, claim_ids: list[int]) -> set[tuple[int, int, str, str | None]]:
    if not claim_ids:
        return set()
    rows = session.execute(
        select(Evidence.claim_id, Evidence.source_id, Evidence.stance, Evidence.quote).where(
            Evidence.claim_id.in_(claim_ids)
        )
    )
    return {(claim_id, source_id, stance, quote) for claim_id, source_id, stance, quote in rows}
