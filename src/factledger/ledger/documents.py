"""Documents: the appearances in which claims were found. Stored once per content hash."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_event
from factledger.ledger.bulk.driver_sql import select_in
from factledger.ledger.clock import utcnow
from factledger.ledger.models import Document


def document_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def find_document(session: Session, body: str) -> Document | None:
    return session.scalars(select(Document).where(Document.sha256 == document_sha256(body))).first()


def _document_id_by_sha256(session: Session, sha256: str) -> int | None:
    """The id of the (first) document with this body hash: a driver-level probe, as ``ingest`` asks once
    a document and nearly always hears "none" (an ORM select would cost more than the answer)."""
    rows = select_in(session, "SELECT id FROM documents WHERE sha256 IN", [sha256])
    return min((row[0] for row in rows), default=None)


def add_document(
    session: Session,
    actor: str,
    body: str,
    *,
    title: str | None = None,
    url: str | None = None,
    published: date | None = None,
    author: str | None = None,
    place: str | None = None,
    pending_events: list[NewEvent] | None = None,
) -> tuple[Document, bool]:
    """Store a document unless one with the same body exists. Returns (document, created).

    The ``document.ingested`` event is appended to the audit log, or, given ``pending_events``, added to
    that list for the caller to append in the same transaction ahead of its own events (``ingest``
    records a document and its claims in one append)."""
    sha256 = document_sha256(body)
    existing_id = _document_id_by_sha256(session, sha256)
    if existing_id is not None:
        existing = session.get(Document, existing_id)
        if existing is None:  # unreachable: the row was just read in this transaction
            raise RuntimeError(f"document {existing_id} vanished")
        return existing, False
    document = Document(
        title=title,
        url=url,
        published=published,
        author=author,
        place=place,
        body=body,
        sha256=sha256,
        ingested_at=utcnow(),
    )
    session.add(document)
    session.flush()
    after = {"document_id": document.id, "title": title, "sha256": document.sha256}
    ingested = NewEvent("document.ingested", None, None, after, None)
    if pending_events is None:
        append_event(session, actor, ingested)
    else:
        pending_events.append(ingested)
    return document, True
