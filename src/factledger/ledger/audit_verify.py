"""Checking the audit log: its hash chain, the state it implies, and that it extends an anchor.

What ``verify_log`` proves, in order:

1. **The chain holds.** Every event's hash covers its content and the previous event's hash, and
   ``audit_head`` names the last one: an edited, inserted or deleted event is named. The previous hash
   is the hash of the event before in id order (rows do not store it again, models.Event), so a
   missing or inserted event shows as the next event's hash not matching; a gap in the ids says which
   of the two it is when there is one.
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
by orjson where it reads them as json does, or to re-canonicalise a row whose stored text differs), one
small tuple per claim, and each claim's
evidence links counted by the database beside its row. `tests/bench/audit_bench.py` times it against a
bare sqlite3 + hashlib pass over the same rows. A malformed event (corrupt JSON, an unreadable time) is named as the problem, never raised.
"""

from __future__ import annotations

import hashlib
import json
import json.scanner
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

import orjson
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
        "claim.unflagged",
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


def _batches(session: Session, sql: str) -> Iterator[list[tuple[Any, ...]]]:
    """Keyset batches of raw DBAPI rows (id first) for ``sql``, which takes the last id and a limit as
    ``{p}`` placeholders. The driver's own cursor: a SQLAlchemy Row per event would cost more than
    checking the event."""
    connection = session.connection()
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    placeholder = "%s" if connection.dialect.name == "postgresql" else "?"
    statement = sql.format(p=placeholder)
    last_id = 0
    try:
        while True:
            cursor.execute(statement, (last_id, _BATCH))
            batch = cast(list[tuple[Any, ...]], cursor.fetchall())
            if not batch:
                return
            yield batch
            last_id = batch[-1][0]
    finally:
        cursor.close()


def _event_batches(session: Session) -> Iterator[list[tuple[Any, ...]]]:
    """Every event in id order, ``at`` and the JSON columns as stored."""
    if session.get_bind().dialect.name == "postgresql":
        columns = "id, at, actor, kind, claim_id, before::text, after::text"
    else:
        columns = "id, at, actor, kind, claim_id, before, after"  # stored as text
    return _batches(
        session,
        f"SELECT {columns}, rationale, hash FROM events WHERE id > {{p}} ORDER BY id LIMIT {{p}}",
    )


def _at_text(value: Any, event_id: int) -> str:
    """The event time as the hash covers it (``audit._timestamp`` of the aware UTC time)."""
    try:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            raise TypeError
    except (ValueError, TypeError):
        raise _Broken(f"event {event_id} has an unreadable time `at` ({value!r})", event_id) from None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text: str = value.isoformat(timespec="microseconds")
    return text


# The C scanner, without json.loads' layers (a third of the parse time for an event's small object).
_scan: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]

# The types of replayed values that orjson reads as json does. orjson turns an integer beyond 64 bits
# into a float where json keeps it whole, so a float, or a list or an object that could hide one, makes
# the replay read that payload again with json.
_PLAIN_TYPES: Final = frozenset({str, int, bool, type(None)})


def _after_by_json(after: Any, event_id: int) -> Any:
    """An event's `after` as the standard library's parser reads it, or _Broken when it is not JSON:
    the rule for every payload that orjson's fast path (``_Chain.check``, ``_Replay.apply``) declines."""
    try:
        parsed, end = _scan(after, 0)
    except (StopIteration, ValueError, TypeError):  # TypeError: a NULL `after`
        end = -1
    if end < 0 or end != len(after):
        raise _Broken(f"event {event_id} has a corrupt `after` (not JSON)", event_id)
    return parsed


def _canonical_text(raw: str | None, column: str, event_id: int) -> str:
    if raw is None:
        return "null"
    try:
        return canonical_json(json.loads(str(raw)))
    except ValueError as exc:
        raise _Broken(f"event {event_id} has a corrupt `{column}` (not JSON: {exc})", event_id) from None


class _Replay:
    """Each claim's state as the log tells it: (status, version, assignee, text, evidence links).

    Kept small, for a million claims: a tuple per claim (an event that changes a claim replaces its
    tuple), each distinct status text held once, and the text as its ``hash()``, not itself (a million
    texts would cost hundreds of MB). str hashes are keyed per process (PYTHONHASHSEED), so a text
    cannot be crafted to collide."""

    def __init__(self) -> None:
        self.claims: dict[int, tuple[Any, ...]] = {}
        self._statuses: dict[str, str] = {}

    def apply(
        self, event_id: int, kind: str, claim_id: int, after: Any, orjson_text: str | None = None
    ) -> None:
        """Replay one event's parsed `after`; ``orjson_text`` is its text when orjson parsed it, to be
        parsed again by json when a replayed value is not a plain scalar (see _PLAIN_TYPES)."""
        if not isinstance(after, dict):
            raise _Broken(f"event {event_id} ({kind}) has no `after` object to replay", event_id)
        claims = self.claims
        plain = _PLAIN_TYPES
        try:
            if kind in _CREATES:
                if claim_id in claims:
                    raise _Broken(f"event {event_id} creates claim {claim_id} a second time", event_id)
                # The text is not checked for plainness: it is kept as its hash and only ever equals a
                # stored text's, which an integer, read whole or as a float, never does.
                text = hash(after["text"]) if "text" in after else _UNKNOWN
                status = after["status"]
                evidence = after.get("evidence", 0)
                if orjson_text is not None and not (type(status) in plain and type(evidence) in plain):
                    return self.apply(event_id, kind, claim_id, _after_by_json(orjson_text, event_id))
                if type(status) is str:
                    status = self._statuses.setdefault(status, status)
                claims[claim_id] = (status, 1, None, text, evidence)
                return
            state = claims.get(claim_id)
            if state is None:
                if kind == "evidence.imported" or kind == "evidence.added" or "version" in after:
                    raise _Broken(
                        f"event {event_id} ({kind}) changes claim {claim_id} before any event created it",
                        event_id,
                    )
                return
            status, version, assignee, text, evidence = state
            if kind in _STATUS_KINDS:
                status, version = after["status"], after["version"]
            elif kind == "claim.assigned":
                assignee, version = after["assignee"], after["version"]
            elif kind == "claim.edited":
                version = after["version"]
                if "text" in after:
                    text = hash(after["text"])
            elif kind == "claim.flagged" or kind == "claim.unflagged":
                version = after["version"]
            elif kind == "evidence.added":
                evidence += 1
            elif kind == "evidence.imported":
                evidence += after["evidence"]
            if orjson_text is not None and not (
                type(status) in plain
                and type(version) in plain
                and type(assignee) in plain
                and type(evidence) in plain
            ):
                return self.apply(event_id, kind, claim_id, _after_by_json(orjson_text, event_id))
            claims[claim_id] = (status, version, assignee, text, evidence)
        except KeyError as exc:
            raise _Broken(f"event {event_id} ({kind}) lacks the field {exc} in `after`", event_id) from None
        except TypeError:
            raise _Broken(f"event {event_id} ({kind}) has a malformed `after`", event_id) from None


_FIELDS: Final = ("status", "version", "assignee", "text", "evidence links")


def _walk(session: Session, anchor: AuditAnchor | None, replay: _Replay) -> AuditAnchor:
    """The chain, event by event (replaying claim events), then the head; returns where the log ends."""
    chain = _Chain(replay, anchor)
    if anchor is not None and anchor.events == 0 and anchor.hash != GENESIS_HASH:
        raise _Broken("the anchor records no events but a hash other than the empty log's")
    try:
        for batch in _event_batches(session):
            chain.check(batch)
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
        if anchor is not None and anchor.events > count:
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

    def __init__(self, replay: _Replay, anchor: AuditAnchor | None) -> None:
        self.replay = replay
        self.anchor = anchor
        self.mark = anchor.events if anchor is not None else None
        self.prev_hash = GENESIS_HASH
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

    def check(self, rows: list[tuple[Any, ...]]) -> None:
        """Check a batch of events in order, replaying the claim events; the event at ``self.mark`` (the
        anchor's count) must be the anchor's, checked there, so that a later problem in the same batch
        never hides an earlier rewrite."""
        prev_hash, count, last_id = self.prev_hash, self.count, self.last_id
        last_at: Any = _UNKNOWN  # no event time seen yet (a NULL `at` must still be converted)
        at_text = ""
        texts, text_of, mark = self.texts, self._text, self.mark
        sha256, replayed, apply = hashlib.sha256, _REPLAYED, self.replay.apply
        loads, by_json = orjson.loads, _after_by_json
        try:
            for (
                event_id,
                at,
                actor,
                kind,
                claim_id,
                before,
                after,
                rationale,
                stored_hash,
            ) in rows:
                if at != last_at:  # events appended together share one time: convert it once
                    if type(at) is str and len(at) == 26 and at[10] == " " and at[19] == ".":
                        at_text = f"{at[:10]}T{at[11:]}+00:00"  # SQLite's form of a naive UTC time
                    else:
                        at_text = _at_text(at, event_id)
                    last_at = at
                actor_text = texts.get(actor) or text_of(actor)
                kind_text = texts.get(kind) or text_of(kind)
                rationale_text = texts.get(rationale) or text_of(rationale)
                claim_text = claim_id if type(claim_id) is int else canonical_json(claim_id)
                digest = sha256(
                    f'["{prev_hash}","{at_text}",{actor_text},{kind_text},{claim_text},'
                    f"{before or 'null'},{after or 'null'},{rationale_text}]".encode()
                ).digest()
                if digest != stored_hash:
                    # The stored JSON may be valid but not canonical (written by another tool):
                    # recompute over its canonical form before calling the event modified.
                    before_text = _canonical_text(before, "before", event_id)
                    after_text = _canonical_text(after, "after", event_id)
                    digest = sha256(
                        f'["{prev_hash}","{at_text}",{actor_text},{kind_text},{claim_text},'
                        f"{before_text},{after_text},{rationale_text}]".encode()
                    ).digest()
                    if digest != stored_hash:
                        raise _Broken(_mismatch(event_id, last_id), event_id)
                if claim_id is not None and kind in replayed:
                    # orjson reads an object four times faster than json; it is used only for one object
                    # with nothing around it (json's scanner refuses surrounding whitespace, orjson
                    # allows it), and whatever it refuses (NaN, a lone surrogate escape, deep nesting)
                    # json decides. `apply` checks the rest (see _Replay.apply).
                    if type(after) is str and after[:1] == "{" and after[-1:] == "}":
                        try:
                            parsed = loads(after)
                        except ValueError:  # orjson.JSONDecodeError
                            apply(event_id, kind, claim_id, by_json(after, event_id))
                        else:
                            apply(event_id, kind, claim_id, parsed, after)
                    else:
                        apply(event_id, kind, claim_id, by_json(after, event_id))
                prev_hash, last_id = digest.hex(), event_id
                count += 1
                if count == mark:
                    self._check_anchor(event_id, prev_hash)
        finally:
            self.prev_hash, self.count, self.last_id = prev_hash, count, last_id

    def _check_anchor(self, event_id: int, stored_hash: str) -> None:
        anchor = self.anchor
        assert anchor is not None  # only called at the anchor's mark
        if stored_hash != anchor.hash or event_id != anchor.last_event_id:
            raise _Broken(
                f"event {event_id} is the anchor's event {anchor.events} but not the one it "
                f"recorded on {anchor.at:%Y-%m-%d %H:%M} UTC: the log was rewritten since",
                event_id,
            )


def _mismatch(event_id: int, last_id: int | None) -> str:
    """Why an event's stored hash is not the one its content and its predecessor's hash give.

    The two cannot always be told apart without the previous hash stored in the row (it was until
    migration 0014): ids are handed out in order, so a gap after the previous event's id says events
    were deleted there; with no gap, this event was changed, or events before it were swapped or
    rewritten together with their hashes. Either way the event named is the first whose hash fails."""
    if event_id != (last_id or 0) + 1:
        return (
            f"event {event_id} does not follow the event before it: an earlier event was deleted, "
            "inserted or rewritten"
        )
    return (
        f"event {event_id} was modified after it was written, or events before it were reordered or rewritten"
    )


def _head(session: Session) -> tuple[int, str, int] | None:
    """The head row, its hash as hex (as the chain's text has it); a value that is not bytes (written
    by hand) is kept as it is and so never matches."""
    row = (
        session.connection()
        .exec_driver_sql("SELECT event_id, hash, count FROM audit_head WHERE id = 1")
        .first()
    )
    if row is None:
        return None
    stored = row[1]
    digest = bytes(stored).hex() if isinstance(stored, bytes | memoryview) else repr(stored)
    return (row[0], digest, row[2])


def _compare_claims(session: Session, replay: _Replay) -> int:
    """Every claim against its replayed state, in id order; returns how many were compared.

    Each claim's evidence links are counted by the database beside its row (an index-only count): a
    separate GROUP BY read into a dict cost more than the comparison itself."""
    replayed = replay.claims
    checked = 0
    sql = (
        "SELECT id, status, version, assignee, text, "
        "(SELECT COUNT(*) FROM evidence WHERE evidence.claim_id = claims.id) "
        "FROM claims WHERE id > {p} ORDER BY id LIMIT {p}"
    )
    pop = replayed.pop
    for batch in _batches(session, sql):
        for claim_id, status, version, assignee, text, evidence in batch:
            state = pop(claim_id, None)
            if state is None:
                raise _Broken(
                    f"claim {claim_id} is in the ledger but no event in the log created it "
                    "(the log was emptied or cut, or the claim was inserted behind its back)",
                    claim_id=claim_id,
                )
            found = (status, version, assignee, hash(text), evidence)
            if state != found:
                _name_difference(claim_id, state, found, text)
        checked += len(batch)
    if replayed:
        missing = min(replayed)
        raise _Broken(f"claim {missing} is in the log but no longer in the ledger", claim_id=missing)
    return checked


def _shown(value: Any) -> str:
    """A stored value as a reader writes it: text in quotation marks, no value as "unset" (never a
    Python repr such as ``None`` or ``'bob'``)."""
    if value is None:
        return "unset"
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)


def _name_difference(claim_id: int, logged: tuple[Any, ...], found: tuple[Any, ...], text: str) -> None:
    for name, was, now in zip(_FIELDS, logged, found, strict=True):
        if was is _UNKNOWN or was == now:
            continue
        if name == "text":
            detail = f"its text is {_shown(text)}, not the one the log gives it"
        else:
            verb = "are" if name == "evidence links" else "is"
            detail = f"its {name} {verb} {_shown(now)} but the log says {_shown(was)}"
        raise _Broken(
            f"claim {claim_id} differs from its history: {detail} (changed without an event)",
            claim_id=claim_id,
        )


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
