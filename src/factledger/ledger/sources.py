"""Sources (one per normalized URL) and the evidence that ties them to claims."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factledger.ledger.audit import NewEvent, append_event
from factledger.ledger.bulk.driver_sql import RowInserter, select_in
from factledger.ledger.claims import get_claim
from factledger.ledger.clock import utcnow
from factledger.ledger.errors import InvalidInputError, NotFoundError
from factledger.ledger.models import Evidence, Snapshot, Source, core_table
from factledger.ledger.statuses import SourceHealth, Stance
from factledger.ledger.storable import unstorable_reason
from factledger.ledger.urls import domain_of, normalize_url

MAX_QUOTE_LENGTH = 5_000


_SOURCES_BY_URL = "SELECT url, id FROM sources WHERE url IN"
_SOURCE_COLUMNS = ("url", "domain")
_SOURCE_CONSTANTS = ("health", "created_at", "consecutive_failures", "next_check_at")  # due at once
_LOOKUP_CHUNK = 5000


def source_ids_for_urls(
    session: Session, normalized_urls: Iterable[str], *, all_new: bool = False
) -> dict[str, int]:
    """Ids of the Sources for already-normalized URLs, creating the missing ones (due at once).

    Goes through the driver (bulk/driver_sql.py): a bulk import asks this for 300,000 URLs, where ORM-level IN
    lists and inserts would take longer than the rest of the import. ``all_new``: the caller knows no
    Source has any of these URLs (a bulk import into a ledger that had no sources, of URLs it has not
    met before), so they are not looked up."""
    wanted = sorted(set(normalized_urls))
    if not wanted:
        return {}
    found: dict[str, int] = {}
    for start in range(0, 0 if all_new else len(wanted), _LOOKUP_CHUNK):
        found.update(select_in(session, _SOURCES_BY_URL, wanted[start : start + _LOOKUP_CHUNK]))
    missing = [url for url in wanted if url not in found]
    if not missing:
        return found
    inserter = RowInserter(session, core_table(Source), _SOURCE_COLUMNS, _SOURCE_CONSTANTS)
    now = inserter.convert("created_at", utcnow())
    unknown = SourceHealth.UNKNOWN.value
    numbered = inserter.insert_numbered([(url, domain_of(url)) for url in missing], (unknown, now, 0, now))
    if numbered is not None:
        found.update(zip(missing, numbered, strict=True))
        return found
    # Read the new ids back by url (unique): RETURNING in parameter order costs a statement per row.
    for start in range(0, len(missing), _LOOKUP_CHUNK):
        found.update(select_in(session, _SOURCES_BY_URL, missing[start : start + _LOOKUP_CHUNK]))
    return found


def get_or_create_source(session: Session, url: str) -> Source:
    normalized = normalize_url(url)
    source_id = source_ids_for_urls(session, [normalized])[normalized]
    source = session.get(Source, source_id)
    assert source is not None
    return source


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"no source with id {source_id}")
    return source


def clean_quote(quote: str | None) -> str | None:
    if quote is None or not quote.strip():
        return None
    if len(quote) > MAX_QUOTE_LENGTH:
        raise InvalidInputError(f"quote is longer than {MAX_QUOTE_LENGTH} characters")
    if (problem := unstorable_reason(quote)) is not None:
        raise InvalidInputError(f"quote {problem}")
    return quote.strip()


def cite(
    session: Session,
    actor: str,
    claim_id: int,
    url: str,
    stance: Stance,
    *,
    quote: str | None = None,
    note: str | None = None,
) -> Evidence:
    """Attach a source to a claim. Citing the same source with the same stance and quote twice is a
    no-op that returns the existing evidence."""
    claim = get_claim(session, claim_id, for_update=True)
    source = get_or_create_source(session, url)
    quote = clean_quote(quote)
    existing = session.scalars(
        select(Evidence).where(
            Evidence.claim_id == claim.id,
            Evidence.source_id == source.id,
            Evidence.stance == stance.value,
            Evidence.quote.is_(None) if quote is None else Evidence.quote == quote,
        )
    ).first()
    if existing is not None:
        return existing
    evidence = Evidence(
        claim_id=claim.id,
        source_id=source.id,
        stance=stance.value,
        quote=quote,
        note=note,
        quote_status="unchecked",
        added_by=actor,
        added_at=utcnow(),
    )
    session.add(evidence)
    session.flush()
    after = {"evidence_id": evidence.id, "url": source.url, "stance": stance.value, "quote": quote}
    append_event(session, actor, NewEvent("evidence.added", claim.id, None, after, note))
    return evidence


def evidence_for_claim(session: Session, claim_id: int) -> Sequence[tuple[Evidence, Source]]:
    rows = session.execute(
        select(Evidence, Source)
        .join(Source, Source.id == Evidence.source_id)
        .where(Evidence.claim_id == claim_id)
        .order_by(Evidence.id)
    )
    return list(rows)


@dataclass(frozen=True)
class SourceRow:
    source: Source
    snapshot_count: int
    evidence_count: int


def list_sources(
    session: Session,
    health: SourceHealth | None = None,
    limit: int | None = None,
    *,
    source_id: int | None = None,
) -> list[SourceRow]:
    snapshots = select(Snapshot.source_id, func.count().label("n")).group_by(Snapshot.source_id).subquery()
    evidence = select(Evidence.source_id, func.count().label("n")).group_by(Evidence.source_id).subquery()
    query = (
        select(Source, func.coalesce(snapshots.c.n, 0), func.coalesce(evidence.c.n, 0))
        .outerjoin(snapshots, snapshots.c.source_id == Source.id)
        .outerjoin(evidence, evidence.c.source_id == Source.id)
        .order_by(Source.id)
    )
    if health is not None:
        query = query.where(Source.health == health.value)
    if source_id is not None:
        query = query.where(Source.id == source_id)
    if limit is not None:
        query = query.limit(limit)
    return [SourceRow(source, int(n_snap), int(n_ev)) for source, n_snap, n_ev in session.execute(query)]


def parse_health(value: str) -> SourceHealth:
    try:
        return SourceHealth(value.strip().lower())
    except ValueError:
        choices = ", ".join(h.value for h in SourceHealth)
        raise InvalidInputError(f"unknown health {value!r} (choose from {choices})") from None
