"""Bulk import of claims with their evidence: the fast path behind ``import jsonl|csv``.

Callers run it inside one write transaction, so a bad record anywhere rolls the whole import back.
A claim whose normalized text is already in the ledger (or earlier in the same import) is not created
again: new evidence is attached to the existing claim instead, which makes re-running an import safe.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from factledger.ledger.audit import CanonicalObject, NewEvent, append_events, canonical_json
from factledger.ledger.bulk.deferred_indexes import deferred_indexes
from factledger.ledger.bulk.driver_sql import RowInserter
from factledger.ledger.claims import claim_ids_by_hash, claim_text_hash, text_key
from factledger.ledger.clock import utcnow
from factledger.ledger.models import Claim, Evidence, core_table
from factledger.ledger.sources import source_ids_for_urls
from factledger.ledger.statuses import ClaimStatus, Stance

# Bigger chunks amortize the per-statement work; 5,000 claims keep an IN (...) list well inside both
# engines' parameter limits (SQLite allows 32,766).
CHUNK_SIZE = 5000
BULK_CACHE_KIB = 128 * 1024
# Once the indexes that take rows in random order are deferred (deferred_indexes.py), the pages the
# import revisits are far fewer: half the cache is as fast (200k claims) and keeps peak RSS 50 MiB lower,
# which the sort of CREATE INDEX at the end needs some of.
DEFERRED_CACHE_KIB = 64 * 1024
_DATES_CACHE_LIMIT = 16_384
# The SQLite trigger that keeps the full-text index in step with claims (migration 0001, search.py).
_FTS_INSERT_TRIGGER = "claims_fts_insert"
# FTS5 merges a level of the index once it holds ``automerge`` segments (4 when the table stores no
# value). An import writes a segment a chunk; merging 8 at a time rewrites each entry fewer times: about
# 18% less time in the index at 200k claims, the same index size, search answers and search times.
_FTS_DEFAULT_AUTOMERGE = 4
_BULK_AUTOMERGE = 8
_STANCE_TEXT = {stance: stance.value for stance in Stance}
_STATUS_TEXT = {status: status.value for status in ClaimStatus}
_STATUS_JSON = {status.value: canonical_json(status.value) for status in ClaimStatus}
_CLAIM_COLUMNS = ("text", "text_hash", "speaker", "dates", "score", "status", "rationale", "speaker_kind")
# The same for every claim of a chunk: given once (RowInserter writes them into the statement).
_CLAIM_CONSTANTS = ("needs_review", "created_at", "updated_at", "version")
_EVIDENCE_COLUMNS = ("claim_id", "source_id", "stance", "quote", "note")
_EVIDENCE_CONSTANTS = ("quote_status", "added_by", "added_at")
# A chunk without notes (the common case) gives the note once, as a constant NULL: its rows are then the
# links' keys themselves, with no tuple made per link, nor taken apart again to leave the NULL out.
_EVIDENCE_KEY_COLUMNS = _EVIDENCE_COLUMNS[:4]
_EVIDENCE_NO_NOTE_CONSTANTS = ("note", *_EVIDENCE_CONSTANTS)


# Records are NamedTuples, immutable like a frozen dataclass: an import makes one per claim and one per
# link, and a frozen dataclass's __init__ (an object.__setattr__ per field) costs twice a tuple's.
class EvidenceRecord(NamedTuple):
    url: str  # already normalized
    stance: Stance
    quote: str | None = None
    note: str | None = None


class ClaimRecord(NamedTuple):
    text: str
    speaker: str | None = None
    dates: list[str] | None = None
    status: ClaimStatus = ClaimStatus.UNREVIEWED
    score: float | None = None
    rationale: str | None = None
    evidence: tuple[EvidenceRecord, ...] = ()
    speaker_kind: str | None = None


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


IndexNewClaims = Callable[[int], None]


def _no_index(_first_id: int) -> None:
    return None


@contextlib.contextmanager
def _search_index_in_bulk(session: Session) -> Iterator[IndexNewClaims]:
    """On SQLite, fill the full-text index once per chunk instead of once per row.

    The per-row trigger costs about twice the claim insert itself. For the length of the import it is
    dropped and each chunk's new claims are indexed with one INSERT ... SELECT; the trigger is created
    again before the import returns. SQLite's DDL is transactional, so no other connection ever sees the
    ledger without it, and a failed import rolls the drop back with everything else. (One statement for
    the whole import, at its end, spends about 12% less time in the index, but it raised the 200k-claim
    benchmark's peak RSS by 2 MiB and left 150 free pages behind its larger merges: so, per chunk.)
    Each chunk's claims make one new segment of the index, and FTS5 merges a level's segments once it
    holds ``automerge`` of them: for the import that is ``_BULK_AUTOMERGE`` instead of the table's own
    setting, restored before it returns.
    Yields a function that indexes the claims with ids from ``first_id`` up (all of them this import's:
    SQLite has one writer, and new rowids go above the largest).
    """
    if session.get_bind().dialect.name != "sqlite":
        yield _no_index
        return
    trigger_sql = session.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": _FTS_INSERT_TRIGGER},
    ).scalar_one_or_none()
    if trigger_sql is None:
        yield _no_index
        return
    session.execute(text(f"DROP TRIGGER {_FTS_INSERT_TRIGGER}"))
    stored_automerge = session.execute(
        text("SELECT v FROM claims_fts_config WHERE k = 'automerge'")
    ).scalar_one_or_none()
    _set_fts_automerge(session, _BULK_AUTOMERGE)

    def index_from(first_id: int) -> None:
        session.execute(
            text("INSERT INTO claims_fts (rowid, text) SELECT id, text FROM claims WHERE id >= :first"),
            {"first": first_id},
        )

    def restore() -> None:
        session.execute(text(trigger_sql))
        _set_fts_automerge(session, _FTS_DEFAULT_AUTOMERGE if stored_automerge is None else stored_automerge)
        if stored_automerge is None:
            # Set through FTS5 (which tells every connection to reload its settings) to the default it
            # reads when no value is stored, then the stored value removed: the table is as it was.
            session.execute(text("DELETE FROM claims_fts_config WHERE k = 'automerge'"))

    try:
        yield index_from
    except BaseException:
        # The transaction is about to roll back (which restores the trigger); restoring it here as
        # well keeps the schema whole for a caller that catches the error and commits anyway.
        with contextlib.suppress(Exception):
            restore()
        raise
    restore()


def _set_fts_automerge(session: Session, value: int) -> None:
    session.execute(
        text("INSERT INTO claims_fts (claims_fts, rank) VALUES ('automerge', :value)"), {"value": int(value)}
    )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the length of an import.

    An import allocates millions of short-lived tuples and records, so the collector keeps running, and
    each older-generation pass walks every live object: about 15% of the import's time. Nothing here
    builds reference cycles that need freeing before the import ends; reference counting frees the rest.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _CreatedHashes:
    """The text hashes this import has created claims for, as a Bloom filter (two bits a hash in 2 MiB,
    taken from hash bytes the text key does not use): a hash it does not hold was surely not created by
    this import; one it holds (all of those created, and about 1 in 2,000 others at 200,000 claims, 1 in
    80 at a million) may have been. A filter, not a set of hashes: a set would cost 70 bytes a claim."""

    _BITS = 1 << 24  # at most 1 << 24: each bit's position is 24 bits of the hash

    def __init__(self) -> None:
        self._bits = bytearray(max(1, self._BITS >> 3))
        self._mask = self._BITS - 1

    def add(self, text_hashes: Iterable[bytes]) -> None:
        bits, mask = self._bits, self._mask
        for text_hash in text_hashes:
            both = int.from_bytes(text_hash[8:14], "little")
            first, second = both & mask, both >> 24 & mask
            bits[first >> 3] |= 1 << (first & 7)
            bits[second >> 3] |= 1 << (second & 7)

    def maybe_held(self, text_hashes: Iterable[bytes]) -> list[bytes]:
        bits, mask = self._bits, self._mask
        held = []
        for text_hash in text_hashes:
            both = int.from_bytes(text_hash[8:14], "little")
            first, second = both & mask, both >> 24 & mask
            if bits[first >> 3] >> (first & 7) & 1 and bits[second >> 3] >> (second & 7) & 1:
                held.append(text_hash)
        return held


def _table_is_empty(session: Session, table: str) -> bool:
    return session.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first() is None


class _Writers:
    """The import's INSERTs, built once, with the values that are the same for every row converted once."""

    def __init__(self, session: Session, actor: str) -> None:
        self.claims = RowInserter(session, core_table(Claim), _CLAIM_COLUMNS, _CLAIM_CONSTANTS)
        self.evidence = RowInserter(session, core_table(Evidence), _EVIDENCE_COLUMNS, _EVIDENCE_CONSTANTS)
        self.evidence_without_notes = RowInserter(
            session, core_table(Evidence), _EVIDENCE_KEY_COLUMNS, _EVIDENCE_NO_NOTE_CONSTANTS
        )
        self.not_flagged = self.claims.convert("needs_review", False)
        self.actor = actor
        self.source_ids: dict[str, int] = {}  # every URL this import has seen, with its source id
        self._dates_json: dict[tuple[str, ...], str] = {}
        # An import into a ledger without claims (or sources) looks up only what it may have written
        # itself. On SQLite only: its write transaction shuts every other writer out from its first
        # statement, so the tables hold nothing but this import's rows until it ends. (A PostgreSQL
        # writer can commit rows between the import's statements; every hash and URL is looked up.)
        sqlite = session.get_bind().dialect.name == "sqlite"
        self.created: _CreatedHashes | None = (
            _CreatedHashes() if sqlite and _table_is_empty(session, "claims") else None
        )
        # Every source in the ledger is then one this import made, and so in source_ids.
        self.sources_all_known = sqlite and _table_is_empty(session, "sources")

    def dates_json(self, dates: list[str]) -> str:
        """The JSON text of a claim's dates, encoded once per distinct list (imports repeat them)."""
        key = tuple(dates)
        known = self._dates_json.get(key)
        if known is None:
            if len(self._dates_json) >= _DATES_CACHE_LIMIT:  # memory stays flat on distinct dates
                self._dates_json.clear()
            known = self._dates_json[key] = json.dumps(dates)
        return known

    def timestamp(self) -> Any:
        return self.claims.convert("created_at", utcnow())


def import_claims(
    session: Session, actor: str, records: Iterable[ClaimRecord], *, origin: str
) -> ImportStats:
    stats = ImportStats()
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        # A bulk import touches index pages all over the file; a bigger cache for this connection
        # keeps them in memory instead of re-reading them (about +15% at 100k claims).
        session.execute(text(f"PRAGMA cache_size=-{BULK_CACHE_KIB}"))
    writers = _Writers(session, actor)
    cache_lowered = False
    with (
        _collector_paused(),
        _search_index_in_bulk(session) as index_new_claims,
        deferred_indexes(session) as settle_indexes,
    ):
        for chunk in _chunks(records, CHUNK_SIZE):
            if settle_indexes() and sqlite and not cache_lowered:
                session.execute(text(f"PRAGMA cache_size=-{DEFERRED_CACHE_KIB}"))
                cache_lowered = True
            _import_chunk(session, writers, index_new_claims, chunk, origin, stats)
    return stats


def imported_claim_payload(status: str, text: str, evidence: int) -> CanonicalObject:
    """The ``after`` of a claim.imported event: ``canonical_object({"status": status, "text": text,
    "evidence": evidence})``, written with its keys already in order (an import writes one a claim).
    The text too, so `audit verify` can replay what the claim said (audit_verify.py)."""
    return CanonicalObject(
        f'{{"evidence":{evidence},"status":{_STATUS_JSON.get(status) or canonical_json(status)},'
        f'"text":{encode_basestring(text)}}}'
    )


def _import_chunk(
    session: Session,
    writers: _Writers,
    index_new_claims: IndexNewClaims,
    chunk: list[ClaimRecord],
    origin: str,
    stats: ImportStats,
) -> None:
    hashes = [claim_text_hash(record.text) for record in chunk]
    created = writers.created
    if created is None:
        claim_ids = claim_ids_by_hash(session, hashes)
    else:  # the ledger had no claims: only those this import may have created are looked up
        candidates = created.maybe_held(hashes)
        claim_ids = claim_ids_by_hash(session, candidates) if candidates else {}
    matched_hashes = set(claim_ids)

    now = writers.timestamp()
    dates_json = writers.dates_json
    new_rows: list[tuple[Any, ...]] = []
    status_of_new: dict[bytes, str] = {}  # insertion-ordered: the new claims' hashes
    text_of_new: dict[bytes, str] = {}
    for record, text_hash in zip(chunk, hashes, strict=True):
        if text_hash in claim_ids or text_hash in status_of_new:
            continue
        status = _STATUS_TEXT[record.status]
        status_of_new[text_hash] = status
        text_of_new[text_hash] = record.text
        new_rows.append(
            (
                record.text,
                bytearray(text_key(text_hash)),  # bound as it is (see append_events)
                record.speaker,
                dates_json(record.dates) if record.dates else None,  # JSON text: both engines take it
                record.score,
                status,
                record.rationale,
                record.speaker_kind,
            )
        )
    if new_rows:
        # executemany, then the ids: numbered in order on SQLite, else read back by text hash (new
        # hashes are unique in the ledger by construction). RETURNING in parameter order would cost
        # one INSERT per row on SQLite.
        numbered = writers.claims.insert_numbered(new_rows, (writers.not_flagged, now, now, 1))
        if numbered is not None:
            new_ids = dict(zip(status_of_new, numbered, strict=True))
        else:
            new_ids = claim_ids_by_hash(session, status_of_new)
        claim_ids.update(new_ids)
        index_new_claims(min(new_ids.values()))
        if created is not None:
            created.add(status_of_new)

    urls = {evidence.url for record in chunk for evidence in record.evidence}
    source_ids = writers.source_ids
    # Imports cite the same sources over and over: only URLs new to this import are looked up.
    _add_source_ids(session, writers, urls.difference(source_ids))
    stats.sources_seen.update(urls)

    existing_links = _existing_evidence(session, [claim_ids[h] for h in matched_hashes])
    evidence_rows: list[tuple[Any, ...]] = []
    evidence_per_claim: dict[int, int] = {}
    noted = False  # whether a link of the chunk has a note
    actor = writers.actor
    stance_text = _STANCE_TEXT
    for record, text_hash in zip(chunk, hashes, strict=True):
        if not record.evidence:
            continue
        claim_id = claim_ids[text_hash]
        added = 0
        for evidence in record.evidence:
            key = (claim_id, source_ids[evidence.url], stance_text[evidence.stance], evidence.quote)
            if key in existing_links:
                continue
            existing_links.add(key)
            if evidence.note is None:
                evidence_rows.append(key)
            else:
                evidence_rows.append((*key, evidence.note))
                noted = True
            added += 1
        if added:  # counted per record, not per link: most records add all their links
            evidence_per_claim[claim_id] = evidence_per_claim.get(claim_id, 0) + added
    if not noted:
        writers.evidence_without_notes.insert(evidence_rows, (None, "unchecked", writers.actor, now))
    else:
        writers.evidence.insert(
            [row if len(row) == 5 else (*row, None) for row in evidence_rows],
            ("unchecked", writers.actor, now),
        )

    events: list[NewEvent] = []
    for text_hash in dict.fromkeys(hashes):
        claim_id = claim_ids[text_hash]
        added = evidence_per_claim.get(claim_id, 0)
        new_status = status_of_new.get(text_hash)
        if new_status is not None:
            after = imported_claim_payload(new_status, text_of_new[text_hash], added)
            events.append(NewEvent("claim.imported", claim_id, None, after, origin))
        elif added:
            events.append(NewEvent("evidence.imported", claim_id, None, {"evidence": added}, origin))
    append_events(session, actor, events)

    stats.claims_created += len(new_rows)
    stats.claims_matched += len(chunk) - len(new_rows)
    stats.evidence_added += len(evidence_rows)


def _add_source_ids(session: Session, writers: _Writers, urls: set[str]) -> None:
    """Find or create the Sources of already-normalized URLs this import has not seen yet."""
    unseen = [url for url in urls if url not in writers.source_ids]
    writers.source_ids.update(source_ids_for_urls(session, unseen, all_new=writers.sources_all_known))


def _existing_evidence(session: Session, claim_ids: list[int]) -> set[tuple[int, int, str, str | None]]:
    if not claim_ids:
        return set()
    rows = session.execute(
        select(Evidence.claim_id, Evidence.source_id, Evidence.stance, Evidence.quote).where(
            Evidence.claim_id.in_(claim_ids)
        )
    )
    return {(claim_id, source_id, stance, quote) for claim_id, source_id, stance, quote in rows}
