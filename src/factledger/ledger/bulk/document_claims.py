"""A document's claims stored in one go: the write side of ``ingest``.

``claims.add_claim`` stores one claim at a time: a hash lookup, ORM inserts and an audit append. A
document brings dozens, so ``add_document_claims`` stores all of them with one hash lookup, one lookup of the document's known appearances, executemany inserts of the new claims
and of the appearances, and one audit append, and it ends in the same state:

- a text whose normalized form is already a claim (or is an earlier text of the same batch) becomes
  another appearance of that claim, with a ``claim.appeared`` event; an appearance already recorded
  (same claim, document and start) is not recorded twice;
- any other text becomes a new claim with its appearance and a ``claim.created`` event;
- events are appended in the order of the drafts, chained like any other append;
- a draft with ``role`` "headline" (a document's headline) carries its span in the document's title: the
  appearance records it with that role, and a new claim gets the role and no span in the body.

A caller that records more about the new claims (ingest's near-duplicate suggestions) passes
``follow_up``: it runs once the claims are inserted (so it can search them), and the events it returns
for a claim are appended right after that claim's ``claim.created``, in the same single append.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_events
from factledger.ledger.bulk.driver_sql import RowInserter, select_in
from factledger.ledger.claims import (
    HEADLINE,
    ClaimDraft,
    claim_ids_by_hash,
    claim_text_hash,
    clean_claim_text,
    hashes_of_texts,
    text_key,
)
from factledger.ledger.clock import utcnow
from factledger.ledger.models import Claim, ClaimAppearance, core_table

_CLAIM_COLUMNS = (
    "text",
    "text_hash",
    "speaker",
    "quoted_text",
    "dates",
    "document_id",
    "span_start",
    "span_end",
    "score",
    "score_reasons",
    "score_model",
    "status",
    "needs_review",
    "created_at",
    "updated_at",
    "version",
    "speaker_kind",
    "role",
)
_APPEARANCE_COLUMNS = ("claim_id", "document_id", "span_start", "span_end", "role", "found_at")


@dataclass(frozen=True, slots=True)
class FoundClaim:
    """What became of one draft: the claim it is (new or already known) and whether it was created."""

    claim_id: int
    created: bool


FollowUp = Callable[[list["FoundClaim"]], Mapping[int, Sequence[NewEvent]]]


def add_document_claims(
    session: Session,
    actor: str,
    document_id: int,
    drafts: Sequence[ClaimDraft],
    *,
    follow_up: FollowUp | None = None,
    leading_events: Sequence[NewEvent] = (),
) -> list[FoundClaim]:
    """Store the claims found in one document; returns one FoundClaim per draft, in order.

    Every draft must name ``document_id`` and carry its span there. ``follow_up`` gets the result and
    returns events to record, by new claim id (see the module docstring). ``leading_events`` are
    appended first, in the same append (the ``document.ingested`` of a document stored just before)."""
    if not drafts:
        append_events(session, actor, leading_events)
        return []
    texts: list[str] = []
    spans: list[tuple[int, int]] = []
    for draft in drafts:
        if draft.document_id != document_id or draft.span_start is None or draft.span_end is None:
            raise ValueError("every draft of a document's batch needs that document and a span")
        texts.append(clean_claim_text(draft.text))
        spans.append((draft.span_start, draft.span_end))
    hashes = [claim_text_hash(text) for text in texts]

    known = claim_ids_by_hash(session, hashes)
    new_indexes: dict[bytes, int] = {}  # text hash -> index of the draft that creates it
    for index, text_hash in enumerate(hashes):
        if text_hash not in known and text_hash not in new_indexes:
            new_indexes[text_hash] = index

    # Through the driver, as the hash lookup is: an ORM select costs more than the (usually empty) answer.
    recorded = {
        (claim_id, role, start)
        for claim_id, role, start in select_in(
            session,
            "SELECT claim_id, role, span_start FROM claim_appearances WHERE document_id IN",
            [int(document_id)],
        )
    }
    now = utcnow()
    if new_indexes:
        _insert_claims(
            session, document_id, [(texts[i], hashes[i], drafts[i]) for i in new_indexes.values()], now
        )
        rows = select_in(
            session,
            f"SELECT text, id FROM claims WHERE document_id = {int(document_id)} AND text_hash IN",
            list({text_key(text_hash) for text_hash in new_indexes}),
        )
        created_ids = dict(hashes_of_texts(rows, set(new_indexes)))
        if len(created_ids) != len(new_indexes):
            raise RuntimeError("the claims just inserted could not be read back")  # unreachable
        known.update(created_ids)

    appearance_rows: list[tuple[Any, ...]] = []
    own_events: list[NewEvent | None] = []
    found: list[FoundClaim] = []
    for index, (draft, text, text_hash, (span_start, span_end)) in enumerate(
        zip(drafts, texts, hashes, spans, strict=True)
    ):
        claim_id = known[text_hash]
        created = new_indexes.get(text_hash) == index
        found.append(FoundClaim(claim_id, created))
        role = draft.role or "body"
        if (claim_id, role, span_start) in recorded:
            own_events.append(None)  # already known: nothing to record
            continue
        recorded.add((claim_id, role, span_start))
        appearance_rows.append((claim_id, document_id, span_start, span_end, role))
        if created:
            after: dict[str, Any] = {"status": draft.status.value, "text": text}
            if draft.speaker:
                after["speaker"] = draft.speaker
            if draft.speaker_kind:
                after["speaker_kind"] = draft.speaker_kind
            if draft.role:
                after["role"] = draft.role
            own_events.append(NewEvent("claim.created", claim_id, None, after, None))
        else:
            after = {"document_id": document_id, "span": [span_start, span_end]}
            if draft.role:
                after["role"] = draft.role
            own_events.append(NewEvent("claim.appeared", claim_id, None, after, None))
    _insert_appearances(session, appearance_rows, now)
    extra = follow_up(found) if follow_up is not None else {}
    events = list(leading_events)
    for item, own in zip(found, own_events, strict=True):
        if own is not None:
            events.append(own)
        if item.created:
            events.extend(extra.get(item.claim_id, ()))
    append_events(session, actor, events)
    return found


def _insert_claims(
    session: Session, document_id: int, new: list[tuple[str, bytes, ClaimDraft]], now: Any
) -> None:
    inserter = RowInserter(session, core_table(Claim), _CLAIM_COLUMNS)
    dates_json, reasons_json = inserter.processor("dates"), inserter.processor("score_reasons")
    timestamp = inserter.convert("created_at", now)
    not_flagged = inserter.convert("needs_review", False)
    inserter.insert(
        [
            (
                text,
                text_key(text_hash),
                draft.speaker,
                draft.quoted_text,
                dates_json(draft.dates or None),
                document_id,
                # A headline's span is in the title, and a claim's span is in the body: only the
                # appearance keeps it.
                None if draft.role == HEADLINE else draft.span_start,
                None if draft.role == HEADLINE else draft.span_end,
                draft.score,
                reasons_json(draft.score_reasons or None),
                draft.score_model,
                draft.status.value,
                not_flagged,
                timestamp,
                timestamp,
                1,
                draft.speaker_kind,
                draft.role,
            )
            for text, text_hash, draft in new
        ]
    )


def _insert_appearances(session: Session, rows: list[tuple[Any, ...]], now: Any) -> None:
    inserter = RowInserter(session, core_table(ClaimAppearance), _APPEARANCE_COLUMNS)
    found_at = inserter.convert("found_at", now)
    inserter.insert([(*row, found_at) for row in rows])
