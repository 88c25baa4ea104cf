"""A reviewer's decisions on a claim: status, accepting the suggestion, assigning, notes and citing.

One implementation for the CLI (``claims status|accept|assign|note``, ``cite``) and the review app.
Each is one transaction. A write that changes a claim takes the version the reviewer saw
(``expect_version``): an edit made meanwhile by someone else raises VersionConflictError instead of
being overwritten, and ``last_change`` tells what that edit was. A note changes no field but is still
checked against the version, so it is written about the claim the reviewer actually saw. Citing adds
evidence without touching the claim's fields or version, so it cannot lose anyone's work and takes no
expected version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from factledger.ledger import claims, quotes, sources
from factledger.ledger.database import Ledger
from factledger.ledger.errors import InvalidInputError
from factledger.ledger.review_queries import EventView, last_event_view
from factledger.ledger.rows import Claim, Event, Evidence, Source
from factledger.ledger.statuses import ClaimStatus, Stance


def set_status(
    ledger: Ledger,
    actor: str,
    claim_id: int,
    target: ClaimStatus,
    *,
    rationale: str | None = None,
    expect_version: int | None = None,
) -> Claim:
    with ledger.write() as session:
        return claims.change_status(
            session, actor, claim_id, target, rationale=rationale, expect_version=expect_version
        )


def accept_suggestion(
    ledger: Ledger, actor: str, claim_id: int, *, note: str | None = None, expect_version: int | None = None
) -> Claim:
    """The suggested verdict becomes the claim's status, recorded as this reviewer's decision."""
    with ledger.write() as session:
        return quotes.accept_suggestion(session, actor, claim_id, note=note, expect_version=expect_version)


def assign(
    ledger: Ledger, actor: str, claim_id: int, assignee: str | None, *, expect_version: int | None = None
) -> Claim:
    """Assign the claim to a reviewer (None: unassign)."""
    with ledger.write() as session:
        return claims.assign_claim(session, actor, claim_id, assignee, expect_version=expect_version)


def add_note(
    ledger: Ledger, actor: str, claim_id: int, note: str, *, expect_version: int | None = None
) -> Event:
    with ledger.write() as session:
        return claims.add_note(session, actor, claim_id, note, expect_version=expect_version)


def cite(
    ledger: Ledger,
    actor: str,
    claim_id: int,
    url: str,
    stance: Stance,
    *,
    quote: str | None = None,
    note: str | None = None,
) -> tuple[Evidence, Source]:
    """Attach a source URL to the claim as evidence; returns the evidence and its source."""
    with ledger.write() as session:
        evidence = sources.cite(session, actor, claim_id, url, stance, quote=quote, note=note)
        return evidence, sources.get_source(session, evidence.source_id)


@dataclass(frozen=True)
class Citation:
    """One source to cite, as read from a list (``factledger cite ID -``); ``line`` names it in errors."""

    url: str
    stance: Stance
    quote: str | None = None
    note: str | None = None
    line: int | None = None


def cite_many(
    ledger: Ledger, actor: str, claim_id: int, citations: Sequence[Citation]
) -> list[tuple[Evidence, Source]]:
    """Cite every source in one transaction: all of them, or (on a bad URL, say) none. The error names
    the line the citation came from."""
    cited = []
    with ledger.write() as session:
        for item in citations:
            try:
                evidence = sources.cite(
                    session, actor, claim_id, item.url, item.stance, quote=item.quote, note=item.note
                )
            except InvalidInputError as exc:
                where = f"line {item.line}: " if item.line is not None else ""
                raise InvalidInputError(f"{where}{exc}") from None
            cited.append((evidence, sources.get_source(session, evidence.source_id)))
    return cited


def last_change(ledger: Ledger, claim_id: int) -> EventView | None:
    """The claim's latest event: after a VersionConflictError, what the other reviewer did."""
    with ledger.read() as session:
        return last_event_view(session, claim_id)
