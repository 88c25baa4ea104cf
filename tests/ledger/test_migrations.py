"""Schema management: init creates and upgrades, data survives upgrades, newer ledgers are refused."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from factledger.ledger.audit import GENESIS_HASH, canonical_json
from factledger.ledger.claims import ClaimFilter, claim_ids_by_hash, claim_text_hash, list_claims
from factledger.ledger.database import Ledger, alembic_config, migrations_dir, schema_state
from tests.conftest import Factledger

pytestmark = pytest.mark.integration


def _revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_init_creates_then_reports_up_to_date(factledger: Factledger) -> None:
    first = factledger("init", "--json")
    assert first.exit_code == 0, first.stderr
    assert '"from": null' in first.stdout
    again = factledger("init", "--json")
    assert again.exit_code == 0
    assert f'"from": "{_revisions_oldest_first()[-1]}"' in again.stdout


def test_sqlite_pragmas(sqlite_url: str) -> None:
    ledger = Ledger(sqlite_url)
    try:
        with ledger.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 5000
    finally:
        ledger.close()


@pytest.mark.parametrize("previous", _revisions_oldest_first()[:-1])
def test_upgrade_from_an_earlier_revision_keeps_data(db_url: str, tmp_path: Path, previous: str) -> None:
    """Build the ledger at an earlier revision, put data in it, then upgrade with `init`."""
    ledger = Ledger(db_url)
    with ledger.engine.begin() as connection:
        command.upgrade(alembic_config(connection), previous)
    with ledger.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO documents (id, body, sha256, ingested_at) "
                "VALUES (1, 'Old claim kept across upgrades. More.', 'd', '2024-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO claims (text, text_hash, status, needs_review, created_at, updated_at, version, "
                "document_id, span_start, span_end) "
                "VALUES ('Old claim kept across upgrades.', 'h', 'unreviewed', false, "
                "'2024-01-01 00:00:00', '2024-01-01 00:00:00', 1, 1, 0, 31)"
            )
        )
    ledger.close()
    factledger = Factledger(db_url=db_url, home=tmp_path / "home")
    assert factledger("init").exit_code == 0
    assert schema_state(Ledger(db_url).engine).is_current
    assert [c["text"] for c in factledger.json("claims", "list")] == ["Old claim kept across upgrades."]
    assert [c["id"] for c in factledger.json("claims", "list", "--search", "upgrades")] == [1]
    if previous == "0001":  # 0002 back-fills where each old claim was found
        engine = create_engine(db_url)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT claim_id, document_id, span_start, span_end FROM claim_appearances")
            )
            assert [tuple(row) for row in rows] == [(1, 1, 0, 31)]
        engine.dispose()


def test_ledger_from_a_newer_factledger_is_refused(db_url: str, tmp_path: Path) -> None:
    factledger = Factledger(db_url=db_url, home=tmp_path / "home")
    assert factledger("init").exit_code == 0
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfacef00d'"))
    engine.dispose()
    for args in (["claims", "list"], ["init"]):
        result = factledger(*args)
        assert result.exit_code == 1
        assert "newer factledger" in result.stderr
        assert "f00dfacef00d" in result.stderr
        assert "Traceback" not in result.stderr


def test_older_schema_asks_for_init(db_url: str, tmp_path: Path) -> None:
    revisions = _revisions_oldest_first()
    if len(revisions) < 2:
        # With a single revision "older" means empty, which any command creates; nothing else to test.
        factledger = Factledger(db_url=db_url, home=tmp_path / "home")
        assert factledger("claims", "list").exit_code == 0
        assert "claims" in inspect(create_engine(db_url)).get_table_names()
        return
    ledger = Ledger(db_url)
    with ledger.engine.begin() as connection:
        command.upgrade(alembic_config(connection), revisions[-2])
    ledger.close()
    result = Factledger(db_url=db_url, home=tmp_path / "home")("claims", "list")
    assert result.exit_code == 1
    assert "factledger init" in result.stderr


def test_migrations_are_found_and_shipped_in_the_wheel_config() -> None:
    assert (migrations_dir() / "env.py").exists()
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '"migrations" = "factledger/migrations"' in pyproject


def test_foreign_database_is_not_taken_over(sqlite_url: str, tmp_path: Path) -> None:
    engine = create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE payroll (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    result = Factledger(db_url=sqlite_url, home=tmp_path / "home")("claims", "list")
    assert result.exit_code == 1
    assert "not a factledger ledger" in result.stderr


def test_0012_turns_blocked_sources_into_refused(db_url: str, tmp_path: Path) -> None:
    """A 0011 ledger whose guard-refused source was recorded `blocked` upgrades to `refused`."""
    ledger = Ledger(db_url)
    with ledger.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0011")
        connection.execute(
            text(
                "INSERT INTO sources (url, domain, health, health_reason, consecutive_failures, created_at) "
                "VALUES ('http://127.0.0.1/x', '127.0.0.1', 'blocked', 'loopback', 1, '2026-01-01 00:00:00'),"
                " ('https://example.org/', 'example.org', 'gone', 'HTTP 410', 1, '2026-01-01 00:00:00')"
            )
        )
    ledger.close()
    factledger = Factledger(db_url=db_url, home=tmp_path / "home")
    assert factledger("init").exit_code == 0
    healths = {s["url"]: s["health"] for s in factledger.json("sources", "list")}
    assert healths == {"http://127.0.0.1/x": "refused", "https://example.org/": "gone"}


def test_upgrade_to_leaner_claim_indexes_keeps_lookups_and_search(db_url: str, tmp_path: Path) -> None:
    """0013 re-indexes claims (a text-hash prefix, partial indexes, SQLite's FTS without column sizes):
    claims already in the ledger are still found by hash, by corrected text and by search."""
    ledger = Ledger(db_url)
    with ledger.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0012")
    texts = ["Exports to Zanzibar doubled since 2010.", "Wages grew faster than prices."]
    with ledger.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO documents (id, body, sha256, ingested_at) "
                "VALUES (1, 'Exports to Zanzibar doubled since 2010.', 'd', '2024-01-01 00:00:00')"
            )
        )
        for claim_id, (claim_text, document_id, original) in enumerate(
            [(texts[0], 1, None), (texts[1], None, "Wages grew faster than prices did.")], start=1
        ):
            connection.execute(
                text(
                    "INSERT INTO claims (id, text, text_hash, original_text, original_text_hash, status, "
                    "needs_review, created_at, updated_at, version, document_id) VALUES (:id, :text, :hash, "
                    ":original, :original_hash, 'unreviewed', false, '2024-01-01 00:00:00', "
                    "'2024-01-01 00:00:00', 1, :document)"
                ),
                {
                    "id": claim_id,
                    "text": claim_text,
                    "hash": claim_text_hash(claim_text).hex(),  # 0012 stores hex (bytes since 0014)
                    "original": original,
                    "original_hash": claim_text_hash(original).hex() if original else None,
                    "document": document_id,
                },
            )
    ledger.close()
    factledger = Factledger(db_url=db_url, home=tmp_path / "home")
    assert factledger("init").exit_code == 0
    upgraded = Ledger(db_url)
    try:
        with upgraded.read() as session:
            wanted = [
                claim_text_hash(texts[0]),
                claim_text_hash("WAGES grew faster than prices did"),
                bytes(32),
            ]
            assert claim_ids_by_hash(session, wanted) == {wanted[0]: 1, wanted[1]: 2}
            assert [c.id for c in list_claims(session, ClaimFilter(search="zanzibar"))] == [1]
            assert [c.id for c in list_claims(session, ClaimFilter(search="wages prices"))] == [2]
        indexes = {index["name"] for index in inspect(upgraded.engine).get_indexes("claims")}
        assert {"ix_claims_text_hash", "ix_claims_document_id", "ix_claims_original_text_hash"} <= indexes
        if upgraded.is_sqlite:
            with upgraded.engine.connect() as connection:
                fts = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'claims_fts'")
                assert "columnsize=0" in fts.scalar_one()
                plan = connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT text, id FROM claims WHERE text_hash IN (?)", (b"abc",)
                ).fetchall()
                assert "ix_claims_text_hash" in str(plan)
    finally:
        upgraded.close()
    # A claim met again by an import is matched, not created twice.
    sample = tmp_path / "again.jsonl"
    sample.write_text('{"text": "exports to zanzibar doubled since 2010"}\n', encoding="utf-8")
    assert factledger.json("import", "jsonl", str(sample))["claims_matched"] == 1


def _hex_chain(events: list[tuple[str, str, int, str, str | None]]) -> list[tuple[str, str]]:
    """(prev_hash, hash) in hex for events (at, kind, claim_id, after, rationale) by actor "alice",
    computed by the hash rule written out here, as a 0013 ledger stored them."""
    prev, chain = GENESIS_HASH, []
    for at, kind, claim_id, after, rationale in events:
        moment = datetime.fromisoformat(at).replace(tzinfo=UTC).isoformat(timespec="microseconds")
        items = [canonical_json(prev), canonical_json(moment), canonical_json("alice"), canonical_json(kind)]
        items += [str(claim_id), "null", after, canonical_json(rationale)]
        digest = hashlib.sha256(f"[{','.join(items)}]".encode()).hexdigest()
        chain.append((prev, digest))
        prev = digest
    return chain


_0013_CLAIM = "Exports to Zanzibar doubled since 2010."


def _make_0013_ledger(db_url: str) -> list[tuple[str, str]]:
    """A ledger at revision 0013 holding one claim and its two events, as 0013 stored them (hex hashes,
    events.prev_hash); returns the events' (prev_hash, hash)."""
    ledger = Ledger(db_url)
    with ledger.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0013")
    at = "2024-01-01 00:00:00.000001"
    events = [
        (at, "claim.created", 1, canonical_json({"status": "unreviewed", "text": _0013_CLAIM}), None),
        (at, "claim.status_changed", 1, canonical_json({"status": "in_review", "version": 2}), "checking"),
    ]
    chain = _hex_chain(events)
    with ledger.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO claims (id, text, text_hash, status, needs_review, created_at, updated_at, "
                "version) VALUES (1, :text, :hash, 'in_review', false, :at, :at, 2)"
            ),
            {"text": _0013_CLAIM, "hash": claim_text_hash(_0013_CLAIM).hex(), "at": at},
        )
        for event_id, ((moment, kind, claim_id, after, rationale), (prev, digest)) in enumerate(
            zip(events, chain, strict=True), start=1
        ):
            connection.execute(
                text(
                    "INSERT INTO events (id, at, actor, kind, claim_id, after, rationale, prev_hash, hash) "
                    "VALUES (:id, :at, 'alice', :kind, :claim, :after, :rationale, :prev, :hash)"
                ),
                {
                    "id": event_id,
                    "at": moment,
                    "kind": kind,
                    "claim": claim_id,
                    "after": after,
                    "rationale": rationale,
                    "prev": prev,
                    "hash": digest,
                },
            )
        connection.execute(
            text("INSERT INTO audit_head (id, event_id, hash, count) VALUES (1, 2, :hash, 2)"),
            {"hash": chain[-1][1]},
        )
    ledger.close()
    return chain


def test_0014_keeps_every_hash_and_the_chain_verifies(db_url: str, tmp_path: Path) -> None:
    """0014 stores hashes as bytes and drops events.prev_hash: a 0013 ledger's claims are still found by
    their text, every event keeps its hash (hex of the stored bytes), and `audit verify` passes, and
    still names a changed event."""
    chain = _make_0013_ledger(db_url)
    claim_text = _0013_CLAIM
    factledger = Factledger(db_url=db_url, home=tmp_path / "home")
    assert factledger("init").exit_code == 0
    upgraded = Ledger(db_url)
    try:
        assert "prev_hash" not in {
            column["name"] for column in inspect(upgraded.engine).get_columns("events")
        }
        with upgraded.engine.connect() as connection:
            stored = connection.execute(text("SELECT hash FROM events ORDER BY id")).scalars().all()
            head = connection.execute(text("SELECT hash FROM audit_head")).scalar_one()
            text_hash = connection.execute(text("SELECT text_hash FROM claims")).scalar_one()
        assert [bytes(value).hex() for value in stored] == [digest for _prev, digest in chain]
        assert bytes(head).hex() == chain[-1][1]
        assert bytes(text_hash) == claim_text_hash(claim_text)[:8]  # the text key
        with upgraded.read() as session:
            found = claim_ids_by_hash(session, [claim_text_hash("exports to ZANZIBAR doubled since 2010")])
            assert list(found.values()) == [1]
    finally:
        upgraded.close()
    verified = factledger.json("audit", "verify")
    assert (verified["events"], verified["claims"]) == (2, 1)
    history = factledger.json("claims", "history", "1")
    assert sorted(event["hash"] for event in history) == sorted(digest for _prev, digest in chain)
    # Hostile input after the upgrade: the chain still catches an edited event.
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE events SET rationale = 'rewritten' WHERE id = 2"))
    engine.dispose()
    broken = factledger("audit", "verify")
    assert broken.exit_code == 1
    assert "event 2 was modified after it was written" in broken.stderr


def test_0014_downgrade_restores_the_0013_hashes_and_upgrades_again(db_url: str, tmp_path: Path) -> None:
    """Down from head to 0013: hashes are hex again, each event's prev_hash is the hash of the event before
    it, a claim's text hash is its full digest again; then up to head, and the chain still verifies.
    Input: the 0013 ledger of the test above, upgraded by `factledger init`."""
    chain = _make_0013_ledger(db_url)
    factledger = Factledger(db_url=db_url, home=tmp_path / "home")
    assert factledger("init").exit_code == 0
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0013")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0013"
            events = connection.execute(text("SELECT prev_hash, hash FROM events ORDER BY id")).all()
            head = connection.execute(text("SELECT hash FROM audit_head")).scalar_one()
            text_hash = connection.execute(text("SELECT text_hash FROM claims")).scalar_one()
            columns = {column["name"] for column in inspect(connection).get_columns("events")}
            indexes = {index["name"] for index in inspect(connection).get_indexes("claims")}
    finally:
        engine.dispose()
    assert [tuple(row) for row in events] == chain
    assert head == chain[-1][1]
    assert text_hash == claim_text_hash(_0013_CLAIM).hex()
    assert "prev_hash" in columns
    assert {"ix_claims_status_id", "ix_claims_updated_at_id", "ix_claims_score_id"} <= indexes
    assert "ix_claims_status" not in indexes

    assert factledger("init").exit_code == 0  # and up again
    verified = factledger.json("audit", "verify")
    assert (verified["events"], verified["claims"]) == (2, 1)
