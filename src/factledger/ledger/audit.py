"""The hash-chained audit log.

Every change to the ledger appends an Event in the same transaction as the change. An event's hash
covers its content and the previous event's hash, and ``audit_head`` remembers the newest one, so an
edited, inserted or deleted row anywhere in the history is detected by ``audit_verify.verify_log``.

A hash is computed over hex text (the previous hash in it is 64 hex digits, ``GENESIS_HASH`` for the
first event) and stored as its 32 bytes; the previous hash is not stored in a row, as it is the hash of
the row before (models.Event).

Appends are serialised: SQLite write transactions begin IMMEDIATE (database.py) and PostgreSQL takes a
transaction-scoped advisory lock, so two writers can never both chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from factledger.ledger.bulk.driver_sql import RowInserter
from factledger.ledger.clock import utcnow
from factledger.ledger.models import AuditHead, Event, core_table

GENESIS_HASH = "0" * 64
# An arbitrary constant that names factledger's audit lock among other advisory locks on the server.
_PG_AUDIT_LOCK_KEY = 0x66616374  # "fact"
_EVENT_COLUMNS = ("kind", "claim_id", "before", "after", "rationale", "hash")
_EVENT_CONSTANTS = ("at", "actor")  # the same for every event of an append


class CanonicalObject(str):
    """A JSON object already in canonical text (exactly what ``canonical_json`` gives for it), made by
    ``canonical_object``: an import appends one event per claim, and encoding a dict through the json
    module's encoder costs more than writing these few flat fields directly."""


class NewEvent(NamedTuple):
    """One event to append. A NamedTuple, immutable like a frozen dataclass and half as costly to make
    (an import makes one per claim)."""

    kind: str
    claim_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | CanonicalObject | None = None
    rationale: str | None = None


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


# Built once: json.dumps with non-default options builds a new encoder on every call, which costs more
# than encoding a small event payload. Same options, same text.
_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_json(value: Any) -> str:
    """The JSON text that event hashes are computed over (and that appends store for before/after)."""
    return _CANONICAL_ENCODER.encode(value)


def canonical_object(fields: dict[str, str | int | None]) -> CanonicalObject:
    """``canonical_json(fields)`` for a flat object of texts, integers and nulls, written directly."""
    members = []
    for key in sorted(fields):
        value = fields[key]
        # int's text is the JSON encoder's (bool, a subclass, is not int: it takes canonical_json's path).
        encoded = str(value) if type(value) is int else canonical_json(value)
        members.append(f"{canonical_json(key)}:{encoded}")
    return CanonicalObject(f"{{{','.join(members)}}}")


def _digest(parts: list[str]) -> str:
    # The canonical text of the list [prev_hash, at, actor, kind, claim_id, before, after, rationale]
    # is its items' canonical texts joined by commas, so appends can encode the items that repeat
    # across a batch once; verify_chain encodes every item, and both meet here.
    return hashlib.sha256(f"[{','.join(parts)}]".encode()).hexdigest()


def event_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    kind: str,
    claim_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    rationale: str | None,
) -> str:
    return _digest(
        [canonical_json(item) for item in (prev_hash, _timestamp(at), actor, kind, claim_id, before, after)]
        + [canonical_json(rationale)]
    )


class _BatchEncoder:
    """Canonical texts for the items of one append, reusing those that repeat (time, actor, kinds)."""

    def __init__(self, at: datetime, actor: str) -> None:
        self.at_actor = f"{canonical_json(_timestamp(at))},{canonical_json(actor)}"
        self._texts: dict[str | None, str] = {}

    def text(self, value: str | None) -> str:
        known = self._texts.get(value)
        if known is None:
            known = self._texts[value] = canonical_json(value)
        return known

    @staticmethod
    def claim(claim_id: int | None) -> str:
        return str(claim_id) if type(claim_id) is int else canonical_json(claim_id)

    @staticmethod
    def mapping(value: dict[str, Any] | CanonicalObject | None) -> str | None:
        if value is None:
            return None
        if type(value) is CanonicalObject:
            return str(value)  # a plain str for the driver
        return canonical_json(value)


def lock_log(session: Session) -> AuditHead | None:
    """Serialise appends to the log for the rest of this transaction and return the chain head."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK_KEY})
    return session.scalars(select(AuditHead).where(AuditHead.id == 1)).one_or_none()


def append_events(session: Session, actor: str, events: Sequence[NewEvent]) -> list[int]:
    """Append events in order, chained onto the current head. Returns their ids."""
    if not events:
        return []
    head = lock_log(session)
    prev_hash = head.hash.hex() if head else GENESIS_HASH
    now = utcnow()
    # A plain driver executemany with the constants converted once: an import appends one event per
    # claim, and SQLAlchemy's per-row parameter processing would cost more than the insert itself.
    # RETURNING in parameter order would send one INSERT per row on SQLite; the audit lock is held, so
    # the new ids are exactly those above the old head (numbered without a read where SQLite's ids are
    # known to follow the head, read back otherwise). before/after are stored as their canonical JSON
    # text, which both engines accept for a JSON column.
    inserter = RowInserter(session, core_table(Event), _EVENT_COLUMNS, _EVENT_CONSTANTS)
    at = inserter.convert("at", now)
    encode = _BatchEncoder(now, actor)
    prev_text = canonical_json(prev_hash)
    rows: list[tuple[Any, ...]] = []
    for new in events:
        before, after = encode.mapping(new.before), encode.mapping(new.after)
        digest = _digest(
            [
                prev_text,
                encode.at_actor,
                encode.text(new.kind),
                encode.claim(new.claim_id),
                before or "null",
                after or "null",
                encode.text(new.rationale),
            ]
        )
        # bytearray, not bytes: the sqlite3 module binds a bytearray as it is, where it first looks up
        # an adapter for bytes (about 0.25 us a value, an import appends an event a claim).
        rows.append((new.kind, new.claim_id, before, after, new.rationale, bytearray.fromhex(digest)))
        prev_hash, prev_text = digest, f'"{digest}"'
    numbered = inserter.insert_numbered(rows, (at, actor))
    last_known = head.event_id if head else 0
    if numbered is not None and numbered.start == last_known + 1:
        ids = list(numbered)
    else:
        ids = list(session.scalars(select(Event.id).where(Event.id > last_known).order_by(Event.id)))
    if len(ids) != len(rows):
        raise RuntimeError("audit log changed while it was locked")  # unreachable unless the lock failed
    count = (head.count if head else 0) + len(rows)
    if head is None:
        session.add(AuditHead(id=1, event_id=ids[-1], hash=bytes.fromhex(prev_hash), count=count))
    else:
        head.event_id, head.hash, head.count = ids[-1], bytes.fromhex(prev_hash), count
    session.flush()
    return ids


def append_event(session: Session, actor: str, new: NewEvent) -> int:
    return append_events(session, actor, [new])[0]
