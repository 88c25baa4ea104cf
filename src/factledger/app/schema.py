"""Creating a ledger or upgrading it to this version's schema: ``factledger init``."""

from __future__ import annotations

from dataclasses import dataclass

from factledger.ledger.database import Ledger, schema_state, upgrade


@dataclass(frozen=True)
class SchemaChange:
    before: str | None  # None: there was no ledger
    after: str | None


def init_ledger(database_url: str) -> SchemaChange:
    ledger = Ledger(database_url)
    try:
        before = schema_state(ledger.engine)
        after = upgrade(ledger.engine)
    finally:
        ledger.close()
    return SchemaChange(before.current, after.current)
