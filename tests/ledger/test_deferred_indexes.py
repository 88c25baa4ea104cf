"""A large import into a small ledger defers the indexes it never reads and builds them again at its end;
a small import into a bigger ledger keeps them (bulk/deferred_indexes.py). Either way the ledger ends with
the same indexes, holding exactly its rows. SQLite only: PostgreSQL imports keep every index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from factledger.exchange import jsonl
from factledger.exchange.records import RecordError
from factledger.ledger.bulk import claim_import
from factledger.ledger.database import Ledger, open_ledger

pytestmark = pytest.mark.integration

# The secondary indexes no lookup of the import reads (models.py), and those it reads or that imported
# rows never enter (partial indexes on columns an import leaves NULL), by table.
DEFERRED = {
    "ix_claims_status",
    "ix_claims_updated_at",
    "ix_claims_score",
    "ix_evidence_source_id",
    "ix_events_claim_id",
    "ix_sources_domain",
    "ix_sources_next_check_at",
}
KEPT = {
    "ix_claims_text_hash",
    "ix_claims_original_text_hash",
    "ix_claims_document_id",
    "ix_evidence_claim_id",
}


@pytest.fixture
def ledger(sqlite_url: str) -> Iterator[Ledger]:
    opened = open_ledger(sqlite_url)
    yield opened
    opened.close()


@pytest.fixture
def ddl(ledger: Ledger) -> list[str]:
    """The DROP INDEX and CREATE INDEX statements the ledger's connections run."""
    seen: list[str] = []

    @event.listens_for(ledger.engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(("DROP INDEX", "CREATE INDEX")):
            seen.append(statement)

    return seen


def _import(ledger: Ledger, path: Path, first: int, count: int) -> None:
    rows = [
        {
            "text": f"Claim number {i} says {i * 7} percent.",
            "status": ["unreviewed", "supported", "refuted"][i % 3],
            "evidence": [{"url": f"https://example.org/{i % 5}", "stance": "supports", "quote": f"q{i}"}],
        }
        for i in range(first, first + count)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    with path.open("rb") as stream, ledger.write() as session:
        claim_import.import_claims(session, "tester", jsonl.read_jsonl(stream), origin="test")


def _schema(ledger: Ledger) -> list[tuple[Any, ...]]:
    with ledger.read() as session:
        assert session.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
        return [
            tuple(row)
            for row in session.execute(
                text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
            )
        ]


def _dropped(statements: list[str]) -> set[str]:
    return {statement.split('"')[1] for statement in statements if statement.startswith("DROP INDEX")}


def test_an_import_into_an_empty_ledger_defers_the_indexes_it_does_not_read(
    ledger: Ledger, ddl: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claim_import, "CHUNK_SIZE", 4)
    before = _schema(ledger)
    _import(ledger, tmp_path / "a.jsonl", 0, 10)
    assert _dropped(ddl) == DEFERRED
    created = {statement.split()[2] for statement in ddl if statement.startswith("CREATE INDEX")}
    assert created == DEFERRED
    assert not KEPT & _dropped(ddl)
    assert _schema(ledger) == before  # the same definitions, each index holding all its rows
    with ledger.read() as session:
        by_status = session.execute(
            text("SELECT count(*) FROM claims INDEXED BY ix_claims_status WHERE status = 'supported'")
        ).scalar_one()
    assert by_status == 3


def test_a_small_import_into_a_bigger_ledger_keeps_its_indexes(
    ledger: Ledger, ddl: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claim_import, "CHUNK_SIZE", 4)
    _import(ledger, tmp_path / "big.jsonl", 0, 20)
    ddl.clear()
    before = _schema(ledger)
    _import(ledger, tmp_path / "small.jsonl", 20, 12)  # fewer rows in each table than it holds
    assert ddl == []
    assert _schema(ledger) == before
    ddl.clear()
    # Twenty more claims double the claims (and evidence and events): their indexes are deferred once
    # the import has written as many rows as each table held. Sources (five URLs, all known) are not.
    _import(ledger, tmp_path / "more.jsonl", 32, 40)
    assert _dropped(ddl) == DEFERRED - {"ix_sources_domain", "ix_sources_next_check_at"}
    assert _schema(ledger) == before


def test_a_failed_import_leaves_every_index(
    ledger: Ledger, ddl: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claim_import, "CHUNK_SIZE", 3)
    before = _schema(ledger)
    bad = tmp_path / "bad.jsonl"
    rows = [
        {"text": f"Claim {i}.", "evidence": [{"url": f"https://example.org/{i}", "stance": "supports"}]}
        for i in range(10)
    ]
    bad.write_text("".join(json.dumps(row) + "\n" for row in rows) + '{"text": "x", "status": "maybe"}\n')
    with pytest.raises(RecordError), bad.open("rb") as stream, ledger.write() as session:
        claim_import.import_claims(session, "tester", jsonl.read_jsonl(stream), origin="test")
    assert _dropped(ddl) == DEFERRED  # they were dropped, and the rollback brought them back
    assert _schema(ledger) == before
