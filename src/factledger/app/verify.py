"""Checking evidence quotes against the newest archived text of their sources: ``factledger verify``."""

from __future__ import annotations

from factledger.archive.runner import ArchivePaths
from factledger.ledger import claims
from factledger.ledger.database import Ledger
from factledger.verify.service import EvidenceResult, verify_quotes


def verify(
    ledger: Ledger, actor: str, paths: ArchivePaths, claim_id: int | None = None
) -> list[EvidenceResult]:
    """Re-check every quote (or one claim's) and update the suggested verdicts; NotFoundError for an
    unknown claim."""
    if claim_id is not None:
        with ledger.read() as session:
            claims.get_claim(session, claim_id)
    return verify_quotes(ledger, actor, paths, claim_id=claim_id)
