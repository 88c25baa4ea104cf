"""``factledger status``: what an operator checks first, from any machine of the team; and the record of
each archive pass that it reads (``archive run|watch`` write one per pass)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import make_url

from factledger.archive.capture_store import ArchivePaths
from factledger.ledger import status_queries
from factledger.ledger.clock import utcnow
from factledger.ledger.database import Ledger

FAILURE_WINDOW = timedelta(hours=24)


def masked_database_url(url: str) -> str:
    """The database URL with its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy parses: show nothing of it rather than a secret
        return "(unparsable URL)"


def backlog(ledger: Ledger) -> int:
    """Sources due now that no worker holds."""
    with ledger.read() as session:
        return status_queries.sources_due(session, utcnow())


def record_pass(ledger: Ledger, worker: str, summary: dict[str, Any], finished_at: datetime) -> None:
    with ledger.write() as session:
        status_queries.record_worker_pass(session, worker, finished_at, summary)


def ledger_status(ledger: Ledger, paths: ArchivePaths, database_url: str) -> dict[str, Any]:
    now = utcnow()
    with ledger.read() as session:
        claims = status_queries.claims_by_status(session)
        workers = [
            {"worker": row.worker, "finished_at": row.finished_at.astimezone(UTC).isoformat(), **row.summary}
            for row in status_queries.worker_passes(session)
        ]
        return {
            "claims": {
                "by_status": claims,
                "total": sum(claims.values()),
                "needing_review": status_queries.claims_needing_review(session),
            },
            "sources": {
                "by_health": status_queries.sources_by_health(session),
                "due_now": status_queries.sources_due(session, now),
            },
            "failures_24h": status_queries.failures_by_kind(session, now - FAILURE_WINDOW),
            "workers": workers,
            "store": paths.describe(),
            "database": masked_database_url(database_url),
        }
