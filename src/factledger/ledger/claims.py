"""Claim use-cases: add, look up, change status, list, history."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_event
from factledger.ledger.bulk.driver_sql import select_in
from factledger.ledger.clock import utcnow
from factledger.ledger.errors import InvalidInputError, NotFoundError, VersionConflictError
from factledger.ledger.models import Claim, ClaimAppearance, Event
from factledger.ledger.search import PG_TSVECTOR_SQL, search_terms, with_search
from factledger.ledger.statuses import ClaimStatus, check_transition
from factledger.ledger.storable import unstorable_reason

MAX_CLAIM_LENGTH = 10_000
_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'"})

# Claims store, and are indexed by, the first 8 bytes (64 bits) of their text hash, the text key
# (claims.text_hash, migration 0014): the full hash is computed again from the text of the few rows a
# key finds, so two texts whose keys collide are still told apart.
TEXT_KEY_BYTES = 8
_CLAIMS_BY_KEY = "SELECT text, id FROM claims WHERE text_hash IN"
_CLAIMS_BY_ORIGINAL_KEY = "SELECT original_text, id FROM claims WHERE original_text_hash IN"


def normalize_claim_text(text: str) -> str:
    """The form under which two wordings of one claim compare equal: NFKC, straight quotes, one
    space, case-folded, no trailing full stop."""
    # ASCII text is its own NFKC form and holds no curly quotes: an import hashes every claim, and
    # most are ASCII. str.split() and the regex's \s agree on what whitespace is (both use Python's
    # Unicode whitespace), so the join is the regex's substitution and strip in one C call.
    folded = text if text.isascii() else unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS)
    return " ".join(folded.split()).rstrip(".").casefold()


def claim_text_hash(text: str) -> bytes:
    """The sha256 digest (32 bytes) of the normalized text: the same fact has the same hash."""
    return hashlib.sha256(normalize_claim_text(text).encode("utf-8")).digest()


def text_key(text_hash: bytes) -> bytes:
    """What ``claims.text_hash`` and ``original_text_hash`` store for a text hash (see TEXT_KEY_BYTES)."""
    return text_hash[:TEXT_KEY_BYTES]


def hashes_of_texts(rows: Iterable[tuple[Any, ...]], wanted: set[bytes]) -> Iterator[tuple[bytes, Any]]:
    """(text hash, value) for the rows (text, value) whose text hashes to one of ``wanted``: the rows a
    text key found, less those whose key matched by chance."""
    for text, value in rows:
        if text is not None and (text_hash := claim_text_hash(text)) in wanted:
            yield text_hash, value


def clean_claim_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInputError("claim text is empty")
    if len(cleaned) > MAX_CLAIM_LENGTH:
        raise InvalidInputError(f"claim text is longer than {MAX_CLAIM_LENGTH} characters")
    if (problem := unstorable_reason(cleaned)) is not None:
        raise InvalidInputError(f"claim text {problem}")
    return cleaned


# Who a speaker is: ClaimReview publishes a Person or an Organization.
SpeakerKind = Literal["person", "organisation"]
SPEAKER_KINDS: tuple[SpeakerKind, ...] = ("person", "organisation")
# The role of a claim that is its document's headline (claims.role, claim_appearances.role).
HEADLINE = "headline"


@dataclass(frozen=True)
class ClaimDraft:
    """Everything needed to create a claim, validated by whoever built it."""

    text: str
    speaker: str | None = None
    quoted_text: str | None = None
    dates: list[str] | None = None
    document_id: int | None = None
    span_start: int | None = None
    span_end: int | None = None
    score: float | None = None
    score_reasons: list[str] | None = None
    score_model: str | None = None
    status: ClaimStatus = ClaimStatus.UNREVIEWED
    speaker_kind: str | None = None
    # "headline" for a document's headline: its span is then in the document's title (see HEADLINE).
    role: str | None = None


def add_claim(session: Session, actor: str, draft: ClaimDraft, *, rationale: str | None = None) -> Claim:
    text = clean_claim_text(draft.text)
    now = utcnow()
    claim = Claim(
        text=text,
        text_hash=text_key(claim_text_hash(text)),
        speaker=draft.speaker,
        speaker_kind=draft.speaker_kind,
        quoted_text=draft.quoted_text,
        dates=draft.dates or None,
        document_id=draft.document_id,
        span_start=draft.span_start,
        span_end=draft.span_end,
        score=draft.score,
        score_reasons=draft.score_reasons or None,
        score_model=draft.score_model,
        status=draft.status.value,
        needs_review=False,
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(claim)
    session.flush()
    if draft.document_id is not None and draft.span_start is not None and draft.span_end is not None:
        session.add(
            ClaimAppearance(
                claim_id=claim.id,
                document_id=draft.document_id,
                span_start=draft.span_start,
                span_end=draft.span_end,
                found_at=now,
            )
        )
    after: dict[str, Any] = {"status": claim.status, "text": text}
    if draft.speaker:
        after["speaker"] = draft.speaker
    if draft.speaker_kind:
        after["speaker_kind"] = draft.speaker_kind
    append_event(session, actor, NewEvent("claim.created", claim.id, None, after, rationale))
    return claim


def get_claim(session: Session, claim_id: int, *, for_update: bool = False) -> Claim:
    claim = session.get(Claim, claim_id, with_for_update=for_update or None)
    if claim is None:
        raise NotFoundError(f"no claim with id {claim_id}")
    return claim


def claim_ids_by_hash(session: Session, text_hashes: Iterable[bytes]) -> dict[bytes, int]:
    """The claim id of each known text hash. The oldest claim wins where a text is (historically)
    duplicated. One lookup for thousands of hashes (bulk/driver_sql.py's ``select_in``).

    A claim a reviewer corrected (claim_edits.py) is also found by its original text: the sentence
    ingest met once is the same fact when it meets it again. Claims' current texts win."""
    wanted = set(text_hashes)
    keys = list({text_key(text_hash) for text_hash in wanted})
    found = _oldest_by_hash(hashes_of_texts(select_in(session, _CLAIMS_BY_KEY, keys), wanted))
    missing = {text_hash for text_hash in wanted if text_hash not in found}
    if missing and _any_claim_edited(session):
        keys = list({text_key(text_hash) for text_hash in missing})
        found.update(
            _oldest_by_hash(hashes_of_texts(select_in(session, _CLAIMS_BY_ORIGINAL_KEY, keys), missing))
        )
    return found


def _oldest_by_hash(rows: Iterable[tuple[Any, ...]]) -> dict[bytes, int]:
    found: dict[bytes, int] = {}
    for text_hash, claim_id in rows:
        if found.setdefault(text_hash, claim_id) > claim_id:
            found[text_hash] = claim_id
    return found


def _any_claim_edited(session: Session) -> bool:
    """One index probe, so a ledger where no text was ever corrected pays no second lookup."""
    edited = select(Claim.id).where(Claim.original_text_hash.is_not(None)).limit(1)
    return session.scalars(edited).first() is not None


def claims_by_id(session: Session, claim_ids: Iterable[int]) -> dict[int, Claim]:
    """The claims with these ids, by id (ids with no claim are left out)."""
    return {claim.id: claim for claim in session.scalars(select(Claim).where(Claim.id.in_(list(claim_ids))))}


def last_event_for(session: Session, claim_id: int) -> Event | None:
    return session.scalars(
        select(Event).where(Event.claim_id == claim_id).order_by(Event.id.desc()).limit(1)
    ).first()


# Events that record something about a claim without writing its fields: they never bump its version.
_VERSIONLESS_KINDS = frozenset({"claim.noted"})


def version_change_for(session: Session, claim: Claim) -> Event | None:
    """The event that brought the claim to its current version: what a stale reviewer missed. A note
    written since does not bump the version, so the newest event is not necessarily it."""
    events = session.scalars(select(Event).where(Event.claim_id == claim.id).order_by(Event.id.desc()))
    for event in events:
        if event.kind not in _VERSIONLESS_KINDS and (event.after or {}).get("version") == claim.version:
            return event
    return last_event_for(session, claim.id)


def check_expected_version(session: Session, claim: Claim, expected: int | None) -> None:
    if expected is None or expected == claim.version:
        return
    last = version_change_for(session, claim)
    who = f" by {last.actor} at {last.at:%Y-%m-%d %H:%M:%S} UTC ({last.kind})" if last else ""
    raise VersionConflictError(
        f"claim {claim.id} is at version {claim.version}, not {expected}: it was changed{who}; "
        "reload it and try again"
    )


def write_next_version(session: Session, claim: Claim, values: dict[str, Any]) -> None:
    """Write ``values`` and the next version, but only if nobody else wrote the claim meanwhile."""
    result = session.execute(
        update(Claim)
        .where(Claim.id == claim.id, Claim.version == claim.version)
        .values(**values, version=claim.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        # The row lock in get_claim makes this unreachable unless the database lost it; fail safe.
        raise VersionConflictError(f"claim {claim.id} changed while it was being updated; try again")
    session.refresh(claim)


def change_status(
    session: Session,
    actor: str,
    claim_id: int,
    target: ClaimStatus,
    *,
    rationale: str | None = None,
    expect_version: int | None = None,
    event_kind: str = "claim.status_changed",
) -> Claim:
    claim = get_claim(session, claim_id, for_update=True)
    check_expected_version(session, claim, expect_version)
    current = ClaimStatus(claim.status)
    check_transition(current, target)
    values: dict[str, Any] = {"status": target.value}
    if rationale is not None:
        values["rationale"] = rationale
    if target.is_verdict:
        values["needs_review"] = False
        values["needs_review_reason"] = None
    before = {"status": current.value, "version": claim.version}
    write_next_version(session, claim, values)
    after = {"status": target.value, "version": claim.version}
    append_event(session, actor, NewEvent(event_kind, claim.id, before, after, rationale))
    return claim


def assign_claim(
    session: Session, actor: str, claim_id: int, assignee: str | None, *, expect_version: int | None = None
) -> Claim:
    claim = get_claim(session, claim_id, for_update=True)
    check_expected_version(session, claim, expect_version)
    before = {"assignee": claim.assignee, "version": claim.version}
    write_next_version(session, claim, {"assignee": assignee})
    after = {"assignee": assignee, "version": claim.version}
    append_event(session, actor, NewEvent("claim.assigned", claim.id, before, after, None))
    return claim


MAX_NOTE_LENGTH = 5_000


def add_note(
    session: Session, actor: str, claim_id: int, note: str, *, expect_version: int | None = None
) -> Event:
    """A reviewer's note: an audit Event on the claim ("claim.noted", the note as its rationale).

    It changes none of the claim's fields, so it does not bump the version: a note can never overwrite
    another reviewer's work. ``expect_version`` still guards it, so a note is written about the claim
    the reviewer actually saw."""
    text = note.strip()
    if not text:
        raise InvalidInputError("the note is empty")
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidInputError(f"the note is longer than {MAX_NOTE_LENGTH} characters")
    if (problem := unstorable_reason(text)) is not None:
        raise InvalidInputError(f"the note {problem}")
    claim = get_claim(session, claim_id, for_update=True)
    check_expected_version(session, claim, expect_version)
    event_id = append_event(
        session, actor, NewEvent("claim.noted", claim_id, None, {"version": claim.version}, text)
    )
    event = session.get(Event, event_id)
    assert event is not None
    return event


def flag_for_review(session: Session, actor: str, claim_id: int, reason: str) -> Claim:
    claim = get_claim(session, claim_id, for_update=True)
    before = {"needs_review": claim.needs_review, "reason": claim.needs_review_reason}
    write_next_version(session, claim, {"needs_review": True, "needs_review_reason": reason})
    after = {"needs_review": True, "reason": reason, "version": claim.version}
    append_event(session, actor, NewEvent("claim.flagged", claim.id, before, after, reason))
    return claim


def clear_flag(session: Session, actor: str, claim_id: int, expected_reason: str, why: str) -> Claim | None:
    """Clear the claim's review flag if it is still the one raised for ``expected_reason`` (a reviewer
    may have cleared it, or something else flagged the claim since); the claim when it was cleared."""
    claim = get_claim(session, claim_id, for_update=True)
    if not claim.needs_review or claim.needs_review_reason != expected_reason:
        return None
    before = {"needs_review": True, "reason": claim.needs_review_reason}
    write_next_version(session, claim, {"needs_review": False, "needs_review_reason": None})
    after = {"needs_review": False, "reason": None, "version": claim.version}
    append_event(session, actor, NewEvent("claim.unflagged", claim.id, before, after, why))
    return claim


@dataclass(frozen=True)
class ClaimFilter:
    status: ClaimStatus | None = None
    search: str | None = None
    needs_review: bool | None = None
    assignee: str | None = None
    limit: int | None = 50
    after_id: int | None = None


def claims_query(criteria: ClaimFilter, dialect: str) -> Select[Claim]:
    query = select(Claim)
    order_key: ColumnElement[int] = Claim.id.expression
    if criteria.status is not None:
        query = query.where(Claim.status == criteria.status.value)
    if criteria.needs_review is not None:
        query = query.where(Claim.needs_review == criteria.needs_review)
    if criteria.assignee is not None:
        query = query.where(Claim.assignee == criteria.assignee)
    if criteria.search:
        query, order_key = with_search(query, criteria.search, dialect)
    if criteria.after_id is not None:
        query = query.where(order_key > criteria.after_id)
    query = query.order_by(order_key)
    if criteria.limit is not None:
        query = query.limit(criteria.limit)
    return query


# The id and text of the oldest claims holding every given word, over the full-text index that
# claims_query searches (search.py), written once in the driver's parameter style.
_CLAIMS_WITH_WORDS_SQL = {
    "sqlite": "SELECT claims.id, claims.text FROM claims JOIN claims_fts ON claims_fts.rowid = claims.id "
    "WHERE claims_fts MATCH {mark} ORDER BY claims_fts.rowid LIMIT {mark}",
    "postgresql": f"SELECT claims.id, claims.text FROM claims WHERE {PG_TSVECTOR_SQL} "
    "@@ to_tsquery('simple'::regconfig, {mark}) ORDER BY claims.id LIMIT {mark}",
}
_DRIVER_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def claims_with_words(
    session: Session, word_groups: Sequence[str], limit: int
) -> list[list[tuple[int, str]]]:
    """For each group of words, the id and text of the oldest ``limit`` claims that contain every one of
    them as a whole word (in any case), oldest first.

    The near-duplicate search runs a few of these per new claim. Unlike a claims search (``ClaimFilter``),
    whose words match as prefixes, a word here matches only itself: the index then reads each word's
    entries in id order and stops at the limit, where a prefix makes it collect every match first, a
    cost that grows with the ledger. Each group is sent through one DBAPI cursor, as building a
    SQLAlchemy statement per group would cost more than the database's own work."""
    if not word_groups:
        return []
    dialect = session.get_bind().dialect
    template = _CLAIMS_WITH_WORDS_SQL.get(dialect.name)
    if template is None:
        raise InvalidInputError(f"full-text search is not supported on {dialect.name}")
    sql = template.replace("{mark}", _DRIVER_MARKS[dialect.paramstyle])
    session.flush()  # claims still pending in the session are found too, as by a Select
    cursor = session.connection().connection.cursor()
    results: list[list[tuple[int, str]]] = []
    try:
        for group in word_groups:
            words = search_terms(group)  # letters and digits only: nothing the query syntax would read
            if dialect.name == "sqlite":
                query = " AND ".join(f'"{word}"' for word in words)
            else:
                query = " & ".join(words)
            cursor.execute(sql, (query, limit))
            results.append([(claim_id, text) for claim_id, text in cursor.fetchall()])
    finally:
        cursor.close()
    return results


def list_claims(session: Session, criteria: ClaimFilter) -> Sequence[Claim]:
    return session.scalars(claims_query(criteria, session.get_bind().dialect.name)).all()


def count_claims_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Claim.status, func.count()).group_by(Claim.status)).all()
    return dict(rows)


def claim_history(session: Session, claim_id: int) -> Sequence[Event]:
    get_claim(session, claim_id)
    return session.scalars(select(Event).where(Event.claim_id == claim_id).order_by(Event.id)).all()
