"""The JSONL exchange format: one claim a line, the shape the README documents. Export writes the same shape
(plus read-only fields such as id, version and quote_status, which import ignores)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy.orm import Session

from factledger.exchange.json_input import JsonInputError, JsonParser
from factledger.exchange.records import (
    NO_VALUE,
    RecordError,
    Rejected,
    claim_from_fields,
    evidence_from_fields,
    strict,
    value_at,
)
from factledger.ledger.bulk.claim_import import ClaimRecord, EvidenceRecord
from factledger.ledger.export_queries import AnyRow, claims_page, evidence_of_claim_range
from factledger.ledger.rows import Claim

EXPORT_BATCH = 5000


def read_jsonl(stream: IO[bytes]) -> Iterator[ClaimRecord]:
    """Parse and validate claims lazily; raises RecordError naming the first bad line."""
    return strict(scan_jsonl(stream))


def scan_jsonl(stream: IO[bytes]) -> Iterator[ClaimRecord | Rejected]:
    """Every line's claim, or its rejection (line, field, value, the line as it was): one pass that
    finds every bad line."""
    parser = JsonParser()
    for line_number, raw in enumerate(stream, start=1):
        fields: Any = None
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            error = RecordError(line_number, None, f"not valid UTF-8 (byte {exc.start})")
            yield Rejected(error, NO_VALUE, raw.decode("utf-8", "backslashreplace").rstrip("\r\n"))
            continue
        try:
            fields = parser.parse(line)
            yield _claim(fields, line_number)
        except json.JSONDecodeError as exc:
            if not line.strip():  # blank lines are allowed; checked only here, where they fail to parse
                continue
            error = RecordError(line_number, None, f"not valid JSON ({exc.msg} at column {exc.colno})")
            yield Rejected(error, NO_VALUE, line.rstrip("\r\n"))
        except JsonInputError as exc:
            yield Rejected(RecordError(line_number, exc.field, exc.message), NO_VALUE, line.rstrip("\r\n"))
        except RecordError as exc:
            yield Rejected(exc, value_at(fields, exc.field), line.rstrip("\r\n"))


def _claim(fields: Any, line_number: int) -> ClaimRecord:
    if type(fields) is not dict:
        raise RecordError(line_number, None, "expected a JSON object for each claim")
    evidence_items = fields.get("evidence")
    if not evidence_items:
        evidence: tuple[EvidenceRecord, ...] = ()
    elif type(evidence_items) is list:
        # A loop, with the common field prefixes made once: a generator and a prefix built per link
        # cost about a microsecond a line.
        links = []
        for index, item in enumerate(evidence_items):
            if type(item) is not dict:
                raise RecordError(line_number, f"evidence[{index}]", "expected an object")
            prefix = _PREFIXES[index] if index < len(_PREFIXES) else f"evidence[{index}]."
            links.append(evidence_from_fields(item, line_number, prefix))
        evidence = tuple(links)
    else:
        raise RecordError(line_number, "evidence", "expected a list of evidence objects")
    return claim_from_fields(fields, line_number, evidence)


_PREFIXES = tuple(f"evidence[{index}]." for index in range(16))


def claim_to_exchange(claim: Claim | AnyRow, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    """The exchange shape of a claim (an ORM Claim or a row of its exported columns)."""
    dates = claim.dates or []
    return {
        "id": claim.id,
        "text": claim.text,
        "speaker": claim.speaker,
        "speaker_kind": claim.speaker_kind,
        "dates": dates,
        "status": claim.status,
        "score": claim.score,
        # Which model gave the score ("cw-linear-2026.12", "hand", …): a score means little without it.
        "score_model": claim.score_model,
        # "headline" when the claim is its document's headline, None for an ordinary claim.
        "role": claim.role,
        "rationale": claim.rationale,
        "version": claim.version,
        "needs_review": claim.needs_review,
        "evidence": evidence,
    }


def iter_export(session: Session, claim_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Claims in id order with their evidence, fetched in batches so memory stays flat.

    Plain column rows, not ORM objects: building and tracking an object per claim and per evidence
    would cost more than reading the rows and writing the JSON."""
    last_id = 0
    while True:
        claims = claims_page(session, last_id, EXPORT_BATCH, claim_id)
        if not claims:
            return
        first_id, last_id = claims[0].id, claims[-1].id
        by_claim: dict[int, list[dict[str, Any]]] = {claim.id: [] for claim in claims}
        for owner, url, stance, quote, note, quote_status, score in evidence_of_claim_range(
            session, first_id, last_id
        ):
            by_claim[owner].append(
                {
                    "url": url,
                    "stance": stance,
                    "quote": quote,
                    "note": note,
                    "quote_status": quote_status,
                    "score": score,
                }
            )
        for claim in claims:
            yield claim_to_exchange(claim, by_claim[claim.id])


def write_jsonl(records: Iterator[dict[str, Any]], stream: IO[str]) -> int:
    count = 0
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        stream.write("\n")
        count += 1
    return count
