"""Recording and reading claims: ``factledger claims add|list|show|history`` and the demo.

Reads return the plain-dict views of ledger/serialize.py (the shapes of the ``--json`` output), built
inside their transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from factledger.archive.mementos import parse_memento
from factledger.ledger import claims, sources
from factledger.ledger.database import Ledger
from factledger.ledger.rows import Snapshot, Source
from factledger.ledger.serialize import claim_summary, event_summary, evidence_summary
from factledger.ledger.snapshot_queries import archived_copy
from factledger.ledger.statuses import UNREACHABLE_HEALTH

ClaimFilter = claims.ClaimFilter


def add_claim(
    open_ledger: Callable[[], Ledger],
    actor: str,
    text: str,
    speaker: str | None,
    dates: Sequence[str],
    speaker_kind: str | None = None,
) -> dict[str, Any]:
    """Add a claim by hand (checked as an imported one is, before the ledger is opened); a near-duplicate
    is suggested and recorded as an event, never merged silently. The summary lists it under
    ``similar_to``. ``speaker_kind`` (person | organisation) needs a speaker."""
    # Imported here, not at the top: `claims list` and `claims show` load this module, and these two
    # (the import checks and the similarity search) would double their start-up time.
    from factledger.exchange.records import claim_from_fields
    from factledger.ingest.similar import suggest_similar

    fields = {"text": text, "speaker": speaker, "speaker_kind": speaker_kind, "dates": list(dates)}
    record = claim_from_fields(fields, 1, ())
    with open_ledger().write() as session:
        draft = claims.ClaimDraft(
            text=record.text, speaker=record.speaker, dates=record.dates, speaker_kind=record.speaker_kind
        )
        claim = claims.add_claim(session, actor, draft)
        similar = suggest_similar(session, actor, claim.id, claim.text)
        return {**claim_summary(claim), "similar_to": [s.as_dict() for s in similar]}


def list_claims(ledger: Ledger, criteria: claims.ClaimFilter) -> list[dict[str, Any]]:
    with ledger.read() as session:
        return [claim_summary(claim) for claim in claims.list_claims(session, criteria)]


def _archived_copy(snapshot: Snapshot | None, source: Source) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    return {"snapshot_id": snapshot.id, "captured": snapshot.fetched_at, "source_health": source.health}


def memento_of(url: str) -> dict[str, Any] | None:
    """An Internet Archive memento cited as a source: the page it preserves, and when it was captured."""
    memento = parse_memento(url)
    if memento is None:
        return None
    return {"original_url": memento.original_url, "captured": memento.captured}


def show_claim(ledger: Ledger, claim_id: int, *, wayback_lookup: bool = False) -> dict[str, Any]:
    """One claim with its evidence. A source that went unreachable comes with our newest capture that
    still holds the quote and, with ``wayback_lookup``, the Internet Archive's copy."""
    with ledger.read() as session:
        summary = claim_summary(claims.get_claim(session, claim_id))
        summary["evidence"] = [
            {
                **evidence_summary(ev, src),
                "archived_copy": _archived_copy(archived_copy(session, ev), src),
                "memento": memento_of(src.url),
            }
            for ev, src in sources.evidence_for_claim(session, claim_id)
        ]
    if wayback_lookup:  # outside the transaction: it waits on the network
        from factledger.verify.wayback import lookup_wayback  # httpx: only when it is used

        for item in summary["evidence"]:
            if is_unreachable(item):
                found = lookup_wayback(item["url"])
                item["wayback"] = {"url": found.url, "timestamp": found.timestamp} if found else None
    return summary


def is_unreachable(evidence: dict[str, Any]) -> bool:
    """Whether an evidence item of ``show_claim`` cites a source that no longer answers."""
    return evidence["source_health"] in UNREACHABLE_HEALTH


def claim_history(ledger: Ledger, claim_id: int) -> list[dict[str, Any]]:
    """Every recorded change to a claim, oldest first."""
    with ledger.read() as session:
        return [event_summary(event) for event in claims.claim_history(session, claim_id)]


def claims_by_status(ledger: Ledger) -> dict[str, int]:
    with ledger.read() as session:
        return claims.count_claims_by_status(session)
