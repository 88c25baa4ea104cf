"""The row types that ledger functions hand to the packages above, for their annotations.

Code outside ``factledger.ledger`` reads these objects and passes them back; it never queries with
them. The mapped classes live in ledger/models.py, which nothing outside the ledger imports (an
import-linter contract), and ruff bans building ``select()``/``update()``/``insert()``/``delete()``
outside the ledger, so every query stays here.
"""

from __future__ import annotations

from factledger.ledger.models import Claim, Document, Event, Evidence, Snapshot, Source, WorkerPass

__all__ = ["Claim", "Document", "Event", "Evidence", "Snapshot", "Source", "WorkerPass"]
