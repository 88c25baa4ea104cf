"""Documents: the appearances in which claims were found. Stored once per content hash."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_event
from factledger.ledger.models import Document, utcnow


def document_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def find_document(session: Session, body: str) -> Document | None:
    return session.scalars(select(Document).where(Document.sha256 == document_sha256(body))).first()


def add_document(
    session: Session,
    actor: str,
    body: str,
    *,
    title: str | None = None,
    url: str | None = None,
    published: date | None = None,
) -> tuple[Document, bool]:
    """Store a document unless one with the same body exists. Returns (document, created)."""
    existing = find_document(session, body)
    if existing is not None:
        return existing, False
    document = Document(
        title=title,
        url=url,
        published=published,
        body=body,
        sha256=document_sha256(body),
        ingested_at=utcnow(),
    )
    session.add(document)
    session.flush()
    after = {"document_id": document.id, "title": title, "sha256": document.sha256}
    append_event(session, actor, NewEvent("document.ingested", None, None, after, None))
    return document, True
