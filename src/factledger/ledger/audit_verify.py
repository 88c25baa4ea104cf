"""Checking the audit log: its hash chain, the state it implies, and that it extends an anchor.

What ``verify_log`` proves, in order:

1. **The chain holds.** Every event's hash covers its content and the previous event's hash, and
   ``audit_head`` names the last one: an edited, inserted or deleted event is named.
2. **The claims are what the log says.** Replaying the log gives each claim's status, version,
   assignee, text and number of evidence links; the ``claims`` and ``evidence`` tables must agree, so a
   direct ``UPDATE claims SET status = …`` (no event) is named, and so is a claim no event created (the
   log was emptied, or the claim inserted behind its back).
3. **The log extends an anchor**, when one is given: the event count, last event and hash written by
   ``audit anchor`` earlier are still a prefix of today's log. This is the one check that catches
   truncation with a rewritten head, since a chain cannot see its own end cut off; it is only as good as
   the place the anchor was kept (README, "The audit log").

The walk is streaming and cheap, for logs of millions of events: keyset batches of raw driver rows (no
ORM objects), the stored canonical JSON hashed as it is (parsed only when the replay needs its fields,
or to re-canonicalise a row whose stored text differs), and a few small lists per claim.
A malformed event (corrupt JSON, an unreadable time) is named as the problem, never raised.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from factledger.ledger.audit import GENESIS_HASH, canonical_json
from factledger.ledger.clock import utcnow
from factledger.ledger.errors import InvalidInputError

_BATCH: Final = 10_000
ANCHOR_FORMAT: Final = "factledger-audit-anchor/1"
_UNKNOWN: Final = object()  # a replayed field the log does not record (e.g. imports before 0.x named text)

# Event kinds that set or change the replayed fields of a claim. Others (notes, similarity, quote
# checks, suggestions, scores, appearances) leave them alone.
_CREATES: Final = frozenset({"claim.created", "claim.imported"})
_STATUS_KINDS: Final = frozenset({"claim.status_changed", "claim.suggestion_accepted"})
_REPLAYED: Final = (
    _CREATES
    | _STATUS_KINDS
    | {
        "claim.assigned",
        "claim.edited",
        "claim.flagged",
        "evidence.added",
        "evidence.imported",
    }
)


@dataclass(frozen=True)
class AuditAnchor:
    """A point in the log: how many events it held, the last one's id and hash, and when."""

    events: int
    last_event_id: int | None
    hash: str
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": ANCHOR_FORMAT,
            "events": self.events,
            "last_event_id": self.last_event_id,
            "hash": self.hash,
            "at": self.at.isoformat(timespec="seconds"),
        }


def parse_anchor(text: str, name: str) -> AuditAnchor:
    """An anchor file's content; InvalidInputError naming ``name`` when it is not one."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != ANCHOR_FORMAT:
            raise ValueError(f"not a {ANCHOR_FORMAT} document")
        events, last_id, digest = data["events"], data["last_event_id"], data["hash"]
        if type(events) is not int or events < 0 or (last_id is not None and type(last_id) is not int):
            raise ValueError("events and last_event_id must be whole numbers")
        if not isinstance(digest, str) or len(digest) != 64:
            raise ValueError("hash must be 64 hex digits")
        at = datetime.fromisoformat(data["at"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(f"{name} is not an audit anchor: {exc}") from None
    return AuditAnchor(events, last_id, digest, at if at.tzinfo else at.replace(tzinfo=UTC))


@dataclass(frozen=True)
class AuditReport:
    events_checked: int
    problem: str | None
    bad_event_id: int | None = None
    claims_checked: int = 0
    bad_claim_id: int | None = None
    head: AuditAnchor | None = None  # where the log ends, when the chain holds

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Broken(Exception):
    """Stops the walk at the first problem."""

    def __init__(self, problem: str, event_id: int | None = None, claim_id: int | None = None) -> None:
        super().__init__(problem)
        self.event_id = event_id
        self.claim_id = claim_id
        self.events = 0  # events verified before the problem


def _event_rows(session: Session) -> Iterator[tuple[Any, ...]]:
    """Every event in id order as raw driver rows, ``at`` and the JSON columns as stored."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sql = (
            "SELECT id, at, actor, kind, claim_id, before::text, after::text, rationale, prev_hash, hash "
            "FROM events WHERE id > %s ORDER BY id LIMIT %s"
        )
    else:
        sql = (
            "SELECT id, CAST(at AS TEXT), actor, kind, claim_id, CAST(before AS TEXT), CAST(after AS TEXT), "
            "rationale, prev_hash, hash FROM events WHERE id > ? ORDER BY id LIMIT ?"
        )
    last_id = 0
    while True:
        batch = connection.exec_driver_sql(sql, (last_id, _BATCH)).fetchall()
        if not batch:
            return
        yield from batch
        last_id = batch[-1][0]


def _at_text(value: Any) -> str:
    """The event time as the hash covers it (``audit._timestamp`` of the aware UTC time)."""
    if isinstance(value, str):
        # SQLite's storage form "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC), converted without parsing.
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            return f"{value[:10]}T{value[11:]}+00:00"
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"not a time: {value!r}")
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def _canonical_text(raw: str | None, column: str, event_id: int) -> str:
    if raw is None:
        return "null"
    try:
        return canonical_json(json.loads(raw))
    except ValueError as exc:
        raise _Broken(f"event {event_id} has a corrupt `{column}` (not JSON: {exc})", event_id) from None


class _Replay:
    """Each claim's state as the log tells it: [status, version, assignee, text, evidence links]."""

    def __init__(self) -> None:
        self.claims: dict[int, list[Any]] = {}

    def apply(self, event_id: int, kind: str, claim_id: int, after: Any) -> None:
        if not isinstance(after, dict):
            raise _Broken(f"event {event_id} ({kind}) has no `after` object to replay", event_id)
        try:
            if kind in _CREATES:
                if claim_id in self.claims:
                    raise _Broken(f"event {event_id} creates claim {claim_id} a second time", event_id)
                text = after.get("text", _UNKNOWN)
                evidence = after.get("evidence", 0)
                self.claims[claim_id] = [after["status"], 1, None, text, evidence]
                return
            state = self.claims.get(claim_id)
            if state is None:
                if kind == "evidence.imported" or kind == "evidence.added" or "version" in after:
                    raise _Broken(
                        f"event {event_id} ({kind}) changes claim {claim_id} before any event created it",
                        event_id,
                    )
                return
            if kind in _STATUS_KINDS:
                state[0], state[1] = after["status"], after["version"]
            elif kind == "claim.assigned":
                state[2], state[1] = after["assignee"], after["version"]
            elif kind == "claim.edited":
                state[1] = after["version"]
                if "text" in after:
                    state[3] = after["text"]
            elif kind == "claim.flagged":
                state[1] = after["version"]
            elif kind == "evidence.added":
                state[4] += 1
            elif kind == "evidence.imported":
                state[4] += after["evidence"]
        except KeyError as exc:
            raise _Broken(f"event {event_id} ({kind}) lacks the field {exc} in `after`", event_id) from None
        except TypeError:
            raise _Broken(f"event {event_id} ({kind}) has a malformed `after`", event_id) from None


_FIELDS: Final = ("status", "version", "assignee", "text", "evidence links")


def _walk(session: Session, anchor: AuditAnchor | None, replay: _Replay) -> AuditAnchor:
    """The chain, event by event (replaying claim events), then the head; returns where the log ends."""
    chain = _Chain(replay)
    anchor_seen = anchor is None or anchor.events == 0
    if anchor is not None and anchor.events == 0 and anchor.hash != GENESIS_HASH:
        raise _Broken("the anchor records no events but a hash other than the empty log's")
    try:
        for row in _event_rows(session):
            chain.step(row)
            if anchor is not None and chain.count == anchor.events:
                anchor_seen = True
                if chain.prev_hash != anchor.hash or chain.last_id != anchor.last_event_id:
                    raise _Broken(
                        f"event {chain.last_id} is the anchor's event {anchor.events} but not the one it "
                        f"recorded on {anchor.at:%Y-%m-%d %H:%M} UTC: the log was rewritten since",
                        chain.last_id,
                    )
        count, last_id, prev_hash = chain.count, chain.last_id, chain.prev_hash
        head = _head(session)
        if head is None:
            if count:
                raise _Broken("the audit head record is missing")
        elif head != (last_id, prev_hash, count):
            raise _Broken(
                f"the log ends at event {last_id} with {count} events, but the head records event "
                f"{head[0]} of {head[2]}: events at the end were deleted or added",
                last_id,
            )
        if anchor is not None and not anchor_seen:
            raise _Broken(
                f"the log holds {count} events but the anchor of {anchor.at:%Y-%m-%d %H:%M} UTC "
                f"recorded {anchor.events}: events were removed since"
            )
    except _Broken as broken:
        broken.events = chain.count
        raise
    return AuditAnchor(count, last_id, prev_hash, utcnow())


class _Chain:
    """The walk's state: the previous hash, and the canonical texts of repeated values, encoded once."""

    def __init__(self, replay: _Replay) -> None:
        self.replay = replay
        self.prev_hash = GENESIS_HASH
        self.prev_text = f'"{GENESIS_HASH}"'
        self.count = 0
        self.last_id: int | None = None
        self.texts: dict[str | None, str] = {None: "null"}  # actors, kinds and rationales

    def _text(self, value: str | None) -> str:
        known = self.texts.get(value)
        if known is None:
            known = canonical_json(value)
            if len(self.texts) < 10_000:  # actors and kinds repeat; rationales mostly do not
                self.texts[value] = known
        return known

    def step(self, row: tuple[Any, ...]) -> None:
        event_id, at, actor, kind, claim_id, before, after, rationale, stored_prev, stored_hash = row
        if stored_prev != self.prev_hash:
            raise _Broken(
                f"event {event_id} does not follow the event before it: an earlier event was "
                "deleted, inserted or rewritten",
                event_id,
            )
        try:
            at_text = _at_text(at)
        except (ValueError, TypeError):
            raise _Broken(f"event {event_id} has an unreadable time `at` ({at!r})", event_id) from None
        head = (
            f'[{self.prev_text},"{at_text}",{self._text(actor)},{self._text(kind)},'
            f"{claim_id if type(claim_id) is int else canonical_json(claim_id)},"
        )
        tail = f",{self._text(rationale)}]"
        digest = hashlib.sha256(f"{head}{before or 'null'},{after or 'null'}{tail}".encode()).hexdigest()
        if digest != stored_hash:
            # The stored JSON text may be valid but not canonical (written by another tool): recompute
            # over its canonical form before calling the event modified.
            before_text = _canonical_text(before, "before", event_id)
            after_text = _canonical_text(after, "after", event_id)
            digest = hashlib.sha256(f"{head}{before_text},{after_text}{tail}".encode()).hexdigest()
            if digest != stored_hash:
                raise _Broken(f"event {event_id} was modified after it was written", event_id)
        if claim_id is not None and kind in _REPLAYED:
            try:
                parsed = json.loads(after) if after is not None else None
            except ValueError as exc:
                raise _Broken(f"event {event_id} has a corrupt `after` (not JSON: {exc})", event_id) from None
            self.replay.apply(event_id, kind, claim_id, parsed)
        self.prev_hash, self.prev_text = stored_hash, f'"{stored_hash}"'
        self.last_id = event_id
        self.count += 1


def _head(session: Session) -> tuple[int, str, int] | None:
    row = (
        session.connection()
        .exec_driver_sql("SELECT event_id, hash, count FROM audit_head WHERE id = 1")
        .first()
    )
    return None if row is None else (row[0], row[1], row[2])


def _compare_claims(session: Session, replay: _Replay) -> int:
    """Every claim against its replayed state, in id order; returns how many were compared."""
    connection = session.connection()
    evidence = dict(
        connection.exec_driver_sql("SELECT claim_id, COUNT(*) FROM evidence GROUP BY claim_id").fetchall()
    )
    placeholder = "%s" if connection.dialect.name == "postgresql" else "?"
    sql = (
        "SELECT id, status, version, assignee, text FROM claims "
        f"WHERE id > {placeholder} ORDER BY id LIMIT {placeholder}"
    )
    replayed = replay.claims
    checked = 0
    last_id = 0
    while True:
        batch = connection.exec_driver_sql(sql, (last_id, _BATCH)).fetchall()
        if not batch:
            break
        for claim_id, status, version, assignee, text in batch:
            state = replayed.pop(claim_id, None)
            if state is None:
                raise _Broken(
                    f"claim {claim_id} is in the ledger but no event in the log created it "
                    "(the log was emptied or cut, or the claim was inserted behind its back)",
                    claim_id=claim_id,
                )
            actual = (status, version, assignee, text, evidence.get(claim_id, 0))
            for name, logged, found in zip(_FIELDS, state, actual, strict=True):
                if logged is not _UNKNOWN and logged != found:
                    raise _Broken(
                        f"claim {claim_id} differs from its history: its {name} is {found!r} but the log "
                        f"says {logged!r} (changed without an event)",
                        claim_id=claim_id,
                    )
            checked += 1
        last_id = batch[-1][0]
    if replayed:
        missing = min(replayed)
        raise _Broken(f"claim {missing} is in the log but no longer in the ledger", claim_id=missing)
    return checked


def verify_log(session: Session, anchor: AuditAnchor | None = None) -> AuditReport:
    """Walk the chain, replay it against the claims, and check it extends ``anchor`` (when given).

    Run it in one snapshot (``Ledger.snapshot_read``) so a write committed during the walk cannot make
    the log and the claims disagree."""
    replay = _Replay()
    head: AuditAnchor | None = None
    try:
        head = _walk(session, anchor, replay)
        claims = _compare_claims(session, replay)
    except _Broken as broken:
        events = head.events if head else broken.events
        return AuditReport(events, str(broken), broken.event_id, 0, broken.claim_id, head)
    return AuditReport(head.events, None, None, claims, None, head)
