"""The JSONL exchange format: one claim a line, the shape in DESIGN.md. Export writes the same shape
(plus read-only fields such as id, version and quote_status, which import ignores)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factledger.exchange.records import RecordError, claim_from_fields, evidence_from_fields
from factledger.ledger.bulk import ClaimRecord
from factledger.ledger.models import Claim, Evidence, Source

EXPORT_BATCH = 2000


def read_jsonl(stream: IO[bytes]) -> Iterator[ClaimRecord]:
    """Parse and validate claims lazily; raises RecordError naming the first bad line."""
    for line_number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecordError(line_number, None, f"not valid UTF-8 (byte {exc.start})") from None
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(
                line_number, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        if not isinstance(fields, dict):
            raise RecordError(line_number, None, "expected a JSON object for each claim")
        evidence_items = fields.get("evidence") or []
        if not isinstance(evidence_items, list):
            raise RecordError(line_number, "evidence", "expected a list of evidence objects")
        evidence = []
        for index, item in enumerate(evidence_items):
            if not isinstance(item, dict):
                raise RecordError(line_number, f"evidence[{index}]", "expected an object")
            evidence.append(evidence_from_fields(item, line_number, f"evidence[{index}]."))
        yield claim_from_fields(fields, line_number, tuple(evidence))


def claim_to_exchange(claim: Claim, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    dates = claim.dates or []
    return {
        "id": claim.id,
        "text": claim.text,
        "speaker": claim.speaker,
        "date": dates[0] if len(dates) == 1 and "/" not in dates[0] else None,
        "dates": dates,
        "status": claim.status,
        "score": claim.score,
        "rationale": claim.rationale,
        "version": claim.version,
        "needs_review": claim.needs_review,
        "evidence": evidence,
    }


def iter_export(session: Session, claim_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Claims in id order with their evidence, fetched in batches so memory stays flat."""
    last_id = 0
    while True:
        query = select(Claim).where(Claim.id > last_id).order_by(Claim.id).limit(EXPORT_BATCH)
        if claim_id is not None:
            query = query.where(Claim.id == claim_id)
        claims = session.scalars(query).all()
        if not claims:
            return
        ids = [claim.id for claim in claims]
        by_claim: dict[int, list[dict[str, Any]]] = {claim_id: [] for claim_id in ids}
        rows = session.execute(
            select(Evidence, Source.url)
            .join(Source, Source.id == Evidence.source_id)
            .where(Evidence.claim_id.in_(ids))
            .order_by(Evidence.id)
        )
        for evidence, url in rows:
            by_claim[evidence.claim_id].append(
                {
                    "url": url,
                    "stance": evidence.stance,
                    "quote": evidence.quote,
                    "note": evidence.note,
                    "quote_status": evidence.quote_status,
                    "score": evidence.quote_score,
                }
            )
        for claim in claims:
            yield claim_to_exchange(claim, by_claim[claim.id])
        last_id = ids[-1]
        session.expunge_all()


def write_jsonl(records: Iterator[dict[str, Any]], stream: IO[str]) -> int:
    count = 0
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        stream.write("\n")
        count += 1
    return count
