"""SQLAlchemy 2 models of the ledger. One MetaData with a naming convention, so migrations name things
the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false

from factledger.ledger.clock import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, on every engine.

    SQLite has no time zones; normalizing here means the audit hash of a timestamp is the same text
    whichever engine wrote or read it."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # none_as_null: a missing value is SQL NULL, not the JSON text 'null' (smaller, and IS NULL works).
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(none_as_null=True),
        list[Any]: JSON(none_as_null=True),
    }


class Document(Base):
    """An appearance in which claims were found: an article, a transcript, a page."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2048))
    published: Mapped[date | None] = mapped_column(Date)
    # From the document's byline and dateline, when it has them.
    author: Mapped[str | None] = mapped_column(String(300))
    place: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)


def _where_set(column: str) -> dict[str, Any]:
    """A partial index's condition on both engines: the rows where ``column`` holds a value."""
    condition = sql_text(f"{column} IS NOT NULL")
    return {"sqlite_where": condition, "postgresql_where": condition}


# Index.info key naming the one engine an index is made on (Index.ddl_if); migrations/env.py compares
# such an index on that engine only.
ONLY_ON = "factledger_only_on"


def _keyset_index(column: str) -> tuple[Index, Index]:
    """An index for walking ``(column, id)`` in order. SQLite ends every index entry with the rowid, which
    is the id, so there the index names ``column`` alone (naming id too would store it twice, about 4
    bytes a claim per index, migration 0014); PostgreSQL appends nothing, so there it names both."""
    return (
        Index(None, column, "id", info={ONLY_ON: "postgresql"}).ddl_if(dialect="postgresql"),
        Index(None, column, info={ONLY_ON: "sqlite"}).ddl_if(dialect="sqlite"),
    )


class Claim(Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # The first 8 bytes of the sha256 of the normalized text (claims.text_key): how the same fact is
    # recognised across documents and imports. A lookup by it checks the full hash of the texts it finds
    # (claims.claim_ids_by_hash), so 8 bytes serve as well as 32 (migration 0014).
    text_hash: Mapped[bytes] = mapped_column(LargeBinary(8))
    # The text as first recorded, and its hash, once a reviewer has edited the claim (NULL until then):
    # the sentence at the claim's span stays what the document says, and meeting it again still finds
    # this claim (claims.claim_ids_by_hash).
    original_text: Mapped[str | None] = mapped_column(Text)
    original_text_hash: Mapped[bytes | None] = mapped_column(LargeBinary(8))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(200))
    # "person" or "organisation" (ClaimReview's Person or Organization); NULL when unknown.
    speaker_kind: Mapped[str | None] = mapped_column(String(16))
    # "headline" for a claim that is its document's headline (its span is then NULL: the headline is the
    # document's title, not part of its body); NULL for an ordinary claim.
    role: Mapped[str | None] = mapped_column(String(16))
    # The words in quotation marks that the speaker is reported to have said, when there are any.
    quoted_text: Mapped[str | None] = mapped_column(Text)
    # ISO dates ("2023-02-18") or ranges ("2023-05-01/2023-05-04"); NULL rather than [] keeps rows small.
    dates: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    score: Mapped[float | None] = mapped_column(Float)
    score_reasons: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    # The check-worthiness model that gave ``score`` ("cw-linear-2026.12"); NULL for claims scored before
    # models were recorded, or not scored at all.
    score_model: Mapped[str | None] = mapped_column(String(40))

    status: Mapped[str] = mapped_column(String(16), default="unreviewed")
    rationale: Mapped[str | None] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(String(100))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_review_reason: Mapped[str | None] = mapped_column(Text)
    # What the evidence suggests (a verdict status) and why; only a reviewer sets the real status.
    suggested_status: Mapped[str | None] = mapped_column(String(16))
    suggestion_reason: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # text_hash: finding a claim by its text; status: the queue filter; updated_at and score: the
    # review TUI's sorts, walked in keyset order.
    # document_id and original_text_hash are NULL for most claims (imported, hand-added, never
    # corrected): indexed only where set, as every query on them names a value.
    __table_args__ = (
        Index(None, "text_hash"),
        *_keyset_index("status"),
        *_keyset_index("updated_at"),
        *_keyset_index("score"),
        Index(None, "document_id", **_where_set("document_id")),
        Index(None, "original_text_hash", **_where_set("original_text_hash")),
    )


class ClaimAppearance(Base):
    """Where a claim was found. The same fact in two documents is one claim with two appearances."""

    __tablename__ = "claim_appearances"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    # "body", or "headline": the span is then in the document's title.
    role: Mapped[str] = mapped_column(String(16), default="body", server_default="body")
    found_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("claim_id", "document_id", "span_start"),)


class Source(Base):
    """One row per normalized URL."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    final_url: Mapped[str | None] = mapped_column(String(2048))
    domain: Mapped[str] = mapped_column(String(255), index=True)
    title: Mapped[str | None] = mapped_column(String(500))

    health: Mapped[str] = mapped_column(String(16), default="unknown")
    health_reason: Mapped[str | None] = mapped_column(Text)

    last_checked_at: Mapped[datetime | None] = mapped_column()
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Snapshot(Base):
    """One capture of a source. Text lives outside the database (by reference) to keep it lean."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    http_status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(String(2048))
    redirect_chain: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    content_type: Mapped[str | None] = mapped_column(String(200))
    content_length: Mapped[int | None] = mapped_column(Integer)
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
    error_kind: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)

    warc_filename: Mapped[str | None] = mapped_column(String(255))
    warc_offset: Mapped[int | None] = mapped_column(Integer)
    warc_length: Mapped[int | None] = mapped_column(Integer)

    full_text_ref: Mapped[str | None] = mapped_column(String(255))
    main_text_ref: Mapped[str | None] = mapped_column(String(255))
    # How this capture compares with the previous one of the same source: first, same_digest,
    # same_text, changed_text, or failed (no payload).
    drift: Mapped[str | None] = mapped_column(String(16))
    # True when the WARC holds a revisit record (identical payload to an earlier capture).
    is_revisit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Evidence(Base):
    """A claim's link to a source: what the source says about it and whether the quote is really there."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    stance: Mapped[str] = mapped_column(String(16))
    quote: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    quote_status: Mapped[str] = mapped_column(String(16), default="unchecked")
    quote_score: Mapped[float | None] = mapped_column(Float)
    quote_snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    quote_start: Mapped[int | None] = mapped_column(Integer)
    quote_end: Mapped[int | None] = mapped_column(Integer)
    # For fuzzy and missing quotes: the differing words, as sentences a reviewer can read.
    quote_detail: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    quote_checked_at: Mapped[datetime | None] = mapped_column()
    # The newest snapshot that still held the quote, kept when a later capture lost it.
    quote_found_snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))

    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """The append-only audit log. Each row's hash covers the hash of the row before it (audit.py).

    That previous hash is not stored again in the row: it is the previous row's ``hash``, which the
    verifier walks in id order anyway (migration 0014). Hashes are stored as their 32 bytes; the hex
    text the chain is computed over is made from them (``bytes.hex``)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    rationale: Mapped[str | None] = mapped_column(Text)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditHead(Base):
    """The newest event's id and hash, updated in the same transaction as every append.

    The chain alone cannot notice its last rows being deleted; comparing against this row can."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    count: Mapped[int] = mapped_column(Integer)


class WorkerPass(Base):
    """Each archive worker's last pass: when it ended and what it did (``factledger status``)."""

    __tablename__ = "worker_passes"

    worker: Mapped[str] = mapped_column(String(255), primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON(none_as_null=True))


def core_table(model: type[Base]) -> Table:
    """The Core Table behind a model, for bulk executemany inserts that skip the ORM's per-row work."""
    return cast(Table, model.__table__)
