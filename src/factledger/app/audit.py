"""The audit log's checks: ``factledger audit verify [--anchor FILE]`` and ``factledger audit anchor``."""

from __future__ import annotations

from factledger.ledger.audit_verify import AuditAnchor, AuditReport, parse_anchor, verify_log
from factledger.ledger.database import Ledger
from factledger.ledger.errors import LedgerError

__all__ = ["AuditAnchor", "AuditReport", "anchor_audit_log", "parse_anchor", "verify_audit_log"]


def verify_audit_log(ledger: Ledger, anchor: AuditAnchor | None = None) -> AuditReport:
    """Check the hash chain, replay it against the claims, and (given an anchor) that the log extends
    it; all in one consistent view of the database."""
    with ledger.snapshot_read() as session:
        return verify_log(session, anchor)


def anchor_audit_log(ledger: Ledger) -> AuditAnchor:
    """Where the log ends now (event count, last event, hash, time), once the whole log has verified:
    an anchor of a log that does not verify would vouch for the tampering."""
    report = verify_audit_log(ledger)
    if not report.ok or report.head is None:
        raise LedgerError(f"audit log is broken, so it cannot be anchored: {report.problem}")
    return report.head
