"""The reviewer's writes, each one ledger use-case in one transaction, run on a worker thread.

Every write that changes a claim passes the version the reviewer saw (``expect_version``), so an edit
made meanwhile by someone else surfaces as a VersionConflictError instead of being overwritten.
Citing adds evidence without touching the claim's fields or version, so it cannot lose anyone's work
and is not version-checked (the ledger's ``cite`` takes no expected version).
"""

from __future__ import annotations

from dataclasses import dataclass

from factledger.ledger.claims import add_note as ledger_add_note
from factledger.ledger.claims import assign_claim, change_status
from factledger.ledger.database import Ledger
from factledger.ledger.errors import VersionConflictError
from factledger.ledger.quotes import accept_suggestion
from factledger.ledger.review_queries import last_event_view
from factledger.ledger.sources import cite
from factledger.ledger.statuses import ClaimStatus, parse_stance
from factledger.ledger.urls import normalize_url
from factledger.tui.describe import describe_change


@dataclass(frozen=True)
class CiteRequest:
    url: str
    stance: str
    quote: str

    def validated(self) -> CiteRequest:
        """Check the URL and stance the way the CLI does; raises InvalidInputError."""
        normalize_url(self.url)
        parse_stance(self.stance)
        return self


def _optional(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def set_status(
    ledger: Ledger, actor: str, claim_id: int, target: ClaimStatus, rationale: str | None, seen_version: int
) -> int:
    with ledger.write() as session:
        claim = change_status(
            session, actor, claim_id, target, rationale=_optional(rationale), expect_version=seen_version
        )
        return claim.version


def accept(ledger: Ledger, actor: str, claim_id: int, seen_version: int) -> str:
    with ledger.write() as session:
        claim = accept_suggestion(session, actor, claim_id, expect_version=seen_version)
        return claim.status


def assign(ledger: Ledger, actor: str, claim_id: int, assignee: str | None, seen_version: int) -> int:
    with ledger.write() as session:
        claim = assign_claim(session, actor, claim_id, _optional(assignee), expect_version=seen_version)
        return claim.version


def add_note(ledger: Ledger, actor: str, claim_id: int, note: str, seen_version: int) -> None:
    """The ledger's note use-case (``claims.add_note``), checked against the version on screen."""
    with ledger.write() as session:
        ledger_add_note(session, actor, claim_id, note, expect_version=seen_version)


def add_evidence(ledger: Ledger, actor: str, claim_id: int, request: CiteRequest) -> int:
    """Returns the source id, so the caller can fetch it right away."""
    stance = parse_stance(request.stance)
    with ledger.write() as session:
        evidence = cite(session, actor, claim_id, request.url, stance, quote=_optional(request.quote))
        return evidence.source_id


def conflict_notice(ledger: Ledger, claim_id: int, error: VersionConflictError) -> str:
    """The ledger's message (who and when) plus what the other change did."""
    with ledger.read() as session:
        event = last_event_view(session, claim_id)
    what = describe_change(event)
    return f"{error}" + (f" — their change: {what}" if what else "")
