"""The bulk import/export fast paths keep every behaviour of the plain ones: ids, dedup across chunks,
sources, full-text search, the audit chain, and URL normalization."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, text

from factledger.exchange import jsonl
from factledger.exchange.records import RecordError, normalize_source_url
from factledger.ledger.audit import event_hash
from factledger.ledger.audit_verify import verify_log as verify_chain
from factledger.ledger.bulk import claim_import, driver_sql
from factledger.ledger.bulk.driver_sql import RowInserter, sqlite_literal
from factledger.ledger.claims import ClaimDraft, ClaimFilter, add_claim, list_claims
from factledger.ledger.database import Ledger, open_ledger
from factledger.ledger.models import Source, core_table
from factledger.ledger.urls import normalize_url
from tests.conftest import Factledger

pytestmark = pytest.mark.integration


def _write(path: Path, rows: list[dict[str, Any]], extra: str = "") -> Path:
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n" + extra, encoding="utf-8")
    return path


def _rows(n: int, offset: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "text": f"The budget for program {i} rose {i} percent in 2023.",
            "status": "supported" if i % 3 == 0 else "unreviewed",
            "date": "2023-05-01",
            "evidence": [
                {"url": f"https://Example.org/source/{i % 4}#frag", "stance": "supports", "quote": f"q{i}"},
                {"url": "https://example.org/shared", "stance": "context"},
            ],
        }
        for i in range(offset, offset + n)
    ]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of three claims, so a handful of rows crosses several chunk boundaries."""
    monkeypatch.setattr(claim_import, "CHUNK_SIZE", 3)
    monkeypatch.setattr(jsonl, "EXPORT_BATCH", 2)


@pytest.mark.usefixtures("small_chunks")
def test_chunked_import_dedups_across_chunks_and_keeps_sources_single(
    factledger: Factledger, tmp_path: Path
) -> None:
    rows = _rows(10)
    rows.append(dict(rows[1], text=rows[1]["text"].upper()))  # same normalized text, a later chunk
    stats = factledger.json("import", "jsonl", str(_write(tmp_path / "a.jsonl", rows)))
    assert stats == {"claims_created": 10, "claims_matched": 1, "evidence_added": 20, "sources": 5}
    sources = factledger.json("sources", "list")
    assert sorted(s["url"] for s in sources) == [
        "https://example.org/shared",
        *(f"https://example.org/source/{i}" for i in range(4)),
    ]
    claims = factledger.json("claims", "list", "--limit", "100")
    assert [c["status"] for c in claims[:4]] == ["supported", "unreviewed", "unreviewed", "supported"]
    assert claims[0]["dates"] == ["2023-05-01"]
    assert factledger.json("claims", "history", str(claims[0]["id"]))[0]["kind"] == "claim.imported"
    assert factledger("audit", "verify").exit_code == 0

    again = factledger.json("import", "jsonl", str(_write(tmp_path / "b.jsonl", _rows(4, offset=8))))
    assert again == {"claims_created": 2, "claims_matched": 2, "evidence_added": 4, "sources": 5}
    assert factledger("audit", "verify").exit_code == 0


@pytest.mark.usefixtures("small_chunks")
def test_round_trip_through_batched_export(factledger: Factledger, tmp_path: Path) -> None:
    factledger("import", "jsonl", str(_write(tmp_path / "a.jsonl", _rows(7))))
    out = tmp_path / "out.jsonl"
    assert factledger("export", "jsonl", "-o", str(out)).exit_code == 0
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in exported] == sorted(row["id"] for row in exported)
    assert len(exported) == 7
    assert all(len(row["evidence"]) == 2 for row in exported)
    assert exported[2]["evidence"][0] == {
        "url": "https://example.org/source/2",
        "stance": "supports",
        "quote": "q2",
        "note": None,
        "quote_status": "unchecked",
        "score": None,
    }
    fresh = Factledger(db_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}", home=tmp_path / "fresh")
    assert fresh.json("import", "jsonl", str(out))["claims_created"] == 7
    one = factledger("export", "jsonl", "--claim", str(exported[3]["id"]))
    assert [json.loads(line)["id"] for line in one.stdout.splitlines()] == [exported[3]["id"]]


def test_imported_claims_are_searchable_and_the_trigger_is_restored(ledger: Ledger, tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", _rows(5))
    with path.open("rb") as stream, ledger.write() as session:
        claim_import.import_claims(session, "tester", jsonl.read_jsonl(stream), origin="test")
    with ledger.read() as session:
        assert len(list_claims(session, ClaimFilter(search="program budget"))) == 5
        assert [c.text for c in list_claims(session, ClaimFilter(search="program 3"))] == [
            "The budget for program 3 rose 3 percent in 2023."
        ]
        if ledger.is_sqlite:
            triggers = session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert "claims_fts_insert" in set(triggers)
    # A claim written the ordinary way after the import is indexed by the restored trigger.
    bad = _write(tmp_path / "b.jsonl", _rows(2, offset=50), extra='{"text": "x", "status": "maybe"}\n')
    with (
        pytest.raises(RecordError, match="line 3, field 'status'"),
        bad.open("rb") as stream,
        ledger.write() as session,
    ):
        claim_import.import_claims(session, "tester", jsonl.read_jsonl(stream), origin="test")
    with ledger.write() as session:
        add_claim(session, "tester", ClaimDraft(text="Zanzibar exports cloves."))
    with ledger.read() as session:
        assert [c.text for c in list_claims(session, ClaimFilter(search="zanzibar"))] == [
            "Zanzibar exports cloves."
        ]
        assert list_claims(session, ClaimFilter(search="program 50")) == []  # the failed import left nothing
        report = verify_chain(session)
    assert report.ok
    assert report.events_checked == 6


@pytest.mark.parametrize("stored", [None, 2])
def test_the_search_index_merges_eight_segments_at_a_time_during_an_import_only(
    sqlite_url: str, tmp_path: Path, stored: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claim_import, "CHUNK_SIZE", 3)
    ledger = open_ledger(sqlite_url)
    automerge = "SELECT v FROM claims_fts_config WHERE k = 'automerge'"
    try:
        if stored is not None:
            with ledger.write() as session:
                session.execute(
                    text(f"INSERT INTO claims_fts (claims_fts, rank) VALUES ('automerge', {stored})")
                )
        path = _write(tmp_path / "a.jsonl", _rows(7))
        seen: list[Any] = []
        with path.open("rb") as stream, ledger.write() as session:

            def records() -> Iterator[claim_import.ClaimRecord]:
                for record in jsonl.read_jsonl(stream):
                    seen.append(session.execute(text(automerge)).scalar_one_or_none())
                    yield record

            claim_import.import_claims(session, "tester", records(), origin="test")
        assert seen == [8] * 7
        with ledger.read() as session:
            assert session.execute(text(automerge)).scalar_one_or_none() == stored
            assert len(list_claims(session, ClaimFilter(search="program budget"))) == 7
    finally:
        ledger.close()


@pytest.mark.parametrize(
    "values",
    [
        ("0" * 64, "tester", "claim.imported", 7, None, {"status": "unreviewed", "evidence": 2}, "import x"),
        (
            "ab" * 32,
            "Ann Ö’Brien",
            "claim.status_changed",
            1,
            {"status": "a"},
            {"z": 1.5, "a": [1, None]},
            None,
        ),
        ("f" * 64, 'quote "mark"\n', "document.ingested", None, None, {"title": "日本語 ✓", "n": True}, "é"),
    ],
)
def test_event_hash_is_the_canonical_json_of_the_whole_event(values: tuple[Any, ...]) -> None:
    prev, actor, kind, claim_id, before, after, rationale = values
    at = datetime(2024, 1, 14, 9, 30, 1, 123456, tzinfo=UTC)
    canonical = json.dumps(
        [prev, at.isoformat(timespec="microseconds"), actor, kind, claim_id, before, after, rationale],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert event_hash(prev, at, actor, kind, claim_id, before, after, rationale) == expected


def test_batched_appends_verify_like_single_ones(factledger: Factledger, tmp_path: Path) -> None:
    factledger("claims", "add", "A single claim with a “curly” quote.")
    factledger.json("import", "jsonl", str(_write(tmp_path / "a.jsonl", _rows(6))))
    cid = str(factledger.json("claims", "list", "--limit", "1")[0]["id"])
    factledger("claims", "status", cid, "in_review", "--note", "checking ✓")
    result = factledger("audit", "verify", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["events"] == 8


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a/b-c_d.e~f",
        "http://www.example.org/",
        "https://example.org/path/with:colon@and!$&'()*+,;=",
        "https://example.org//double",
        "https://EXAMPLE.org/a",
        "https://example.org",
        "https://example.org:443/a",
        "https://example.org:8443/a",
        "https://example.org./a",
        "https://exa..mple.org/a",
        "https://example.org/a?utm_source=x&b=1",
        "https://example.org/a#top",
        "https://example.org/a%2fb",
        "https://example.org/a b",
        "https://bücher.example/a",
        "https://xn--bcher-kva.example/a",
        "https://" + "a" * 64 + ".org/a",
        "https://user@example.org/a",
        "ftp://example.org/a",
        "https://example.org/" + "x" * 2100,
        "https://-leading.example.org/a",
        "https://127.0.0.1/a",
        # Hostile forms (issue 14): dot segments, numeric hosts other tools read as addresses, port 0.
        "https://example.org/a/./b/../c",
        "https://example.org/a/..",
        "https://example.org/.well-known/x",
        "http://0177.0.0.1/a",
        "http://0x7f.1/a",
        "http://2130706433/a",
        "http://example.org:0/a",
        "https://faß.de/a",
    ],
)
def test_the_canonical_url_shortcut_agrees_with_normalize_url(url: str) -> None:
    try:
        expected: str | None = normalize_url(url)
    except Exception as exc:  # the shortcut must refuse exactly what normalize_url refuses
        with pytest.raises(type(exc)):
            normalize_source_url(url)
        return
    assert normalize_source_url(url) == expected
    assert normalize_source_url(expected) == expected


@pytest.mark.usefixtures("small_chunks")
def test_a_bad_record_after_several_chunks_raises_its_error_and_leaves_nothing(
    ledger: Ledger, tmp_path: Path
) -> None:
    # Line 11 is in the fourth chunk of three: three chunks are written before it is read.
    bad = _write(tmp_path / "bad.jsonl", _rows(10), extra='{"text": "x", "status": "maybe"}\n')
    with (
        pytest.raises(RecordError, match=r"^line 11, field 'status': ") as raised,
        bad.open("rb") as stream,
        ledger.write() as session,
    ):
        claim_import.import_claims(session, "tester", jsonl.read_jsonl(stream), origin="test")
    assert raised.value.line == 11
    with ledger.read() as session:
        assert session.execute(text("SELECT count(*) FROM claims")).scalar_one() == 0
        assert session.execute(text("SELECT count(*) FROM evidence")).scalar_one() == 0
        assert session.execute(text("SELECT count(*) FROM sources")).scalar_one() == 0
        assert verify_chain(session).events_checked == 0


def test_a_column_null_in_every_row_of_a_batch_is_sent_as_a_null_literal(ledger: Ledger) -> None:
    """On SQLite (where binding a None costs an adapter lookup): same rows stored, fewer parameters."""
    sent: list[str] = []
    event.listen(ledger.engine, "before_cursor_execute", lambda _c, _k, sql, *_a: sent.append(sql))
    columns = ("url", "domain", "health", "created_at", "consecutive_failures", "next_check_at", "title")
    with ledger.write() as session:
        inserter = RowInserter(session, core_table(Source), columns)
        now = inserter.convert("created_at", datetime(2026, 1, 2, tzinfo=UTC))
        inserter.insert(
            [(f"https://a.example/{i}", "a.example", "unknown", now, i, None, None) for i in range(3)]
        )
        inserter.insert(
            [
                ("https://b.example/", "b.example", "unknown", now, 0, None, "B"),
                ("https://c.example/", "c.example", "unknown", now, 0, now, None),
            ]
        )
    inserts = [sql for sql in sent if sql.startswith("INSERT INTO sources")]
    if ledger.is_sqlite:
        assert inserts[0].endswith("VALUES (?, ?, ?, ?, ?, NULL, NULL)")
        assert inserts[1].endswith("VALUES (?, ?, ?, ?, ?, ?, ?)")  # no column is NULL in both rows
    with ledger.read() as session:
        stored = session.execute(
            text("SELECT url, consecutive_failures, next_check_at IS NULL, title FROM sources ORDER BY id")
        ).all()
    assert [tuple(row) for row in stored] == [
        ("https://a.example/0", 0, True, None),
        ("https://a.example/1", 1, True, None),
        ("https://a.example/2", 2, True, None),
        ("https://b.example/", 0, True, "B"),
        ("https://c.example/", 0, False, None),
    ]


def test_a_batch_s_constants_are_stored_as_the_bound_values_would_be(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Constants given once for a batch (written into the statement on SQLite where a literal stores the
    same value, in a batch of at least LITERAL_MIN_ROWS rows) end up as the values bound one row at a time
    would: same values, same storage types."""
    monkeypatch.setattr(driver_sql, "LITERAL_MIN_ROWS", 3)
    sent: list[str] = []
    event.listen(ledger.engine, "before_cursor_execute", lambda _c, _k, sql, *_a: sent.append(sql))
    constants = ("health", "created_at", "consecutive_failures", "next_check_at", "title")
    with ledger.write() as session:
        plain = RowInserter(session, core_table(Source), ("url", "domain", *constants))
        batched = RowInserter(session, core_table(Source), ("url", "domain"), constants)
        now = plain.convert("created_at", datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
        for values in (
            ("unknown", now, 0, None, "Ann O'Brien’s “report”"),  # every one a literal
            # A NUL (SQLite stores it, PostgreSQL refuses it): no literal, all bound. A bool and a
            # 64-bit integer where SQLite takes them in an integer column.
            ("unknown", now, True if ledger.is_sqlite else 1, now, "x\x00y" if ledger.is_sqlite else "xy"),
            ("unknown", now, -(2**63) if ledger.is_sqlite else -5, now, "'; DROP TABLE sources; --"),
        ):
            rows = [(f"https://{len(sent)}.example/{i}", f"{i}.example") for i in range(3)]
            batched.insert(rows, values)
            plain.insert([(f"{url}/plain", domain, *values) for url, domain in rows])
        # Fewer rows than LITERAL_MIN_ROWS: bound, in the statement the sqlite3 module keeps prepared.
        small = [("https://two.example/0", "two.example"), ("https://two.example/1", "two.example")]
        batched.insert(small, ("unknown", now, 0, None, "two"))
        with pytest.raises(ValueError, match="expected 5 constant values"):
            batched.insert([("https://x.example/", "x.example")], ("unknown",))
    inserts = [sql for sql in sent if sql.startswith("INSERT INTO sources")]
    if ledger.is_sqlite:
        assert inserts[0].endswith(
            "VALUES (?, ?, 'unknown', '2026-01-02 03:04:05.000006', 0, NULL, 'Ann O''Brien’s “report”')"
        )
        assert inserts[2].endswith("VALUES (?, ?, ?, ?, ?, ?, ?)")
        assert inserts[6].endswith("VALUES (?, ?, ?, ?, ?, ?, ?)")  # the small batch: all bound
    columns = "health, created_at, consecutive_failures, next_check_at, title"
    if ledger.is_sqlite:
        columns += ", typeof(created_at), typeof(consecutive_failures), typeof(next_check_at), typeof(title)"
    with ledger.read() as session:
        stored = {
            url: tuple(rest)
            for url, *rest in session.execute(text(f"SELECT url, {columns} FROM sources")).all()
        }
    assert len(stored) == 20
    first = next(values for values in stored.values() if values[4] == "Ann O'Brien’s “report”")
    two = stored["https://two.example/0"]
    assert two[:4] == first[:4]  # all but the title
    assert two[5:] == first[5:]
    for url, values in stored.items():
        if not url.endswith("/plain") and "two.example" not in url:
            assert values == stored[f"{url}/plain"], url
    assert {values[2] for values in stored.values()} == {0, 1, -(2**63) if ledger.is_sqlite else -5}


@given(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary(max_size=4)
)
def test_an_sqlite_literal_stores_what_binding_stores(value: Any) -> None:
    connection = sqlite3.connect(":memory:")
    try:
        literal = sqlite_literal(value)
        if literal is None:
            # Only what has no such literal: floats, integers binding refuses, NUL, lone surrogates.
            assert (
                isinstance(value, float | bytes)
                or (isinstance(value, int) and not -(2**63) <= value < 2**63)
                or "\x00" in value
                or any("\ud800" <= char <= "\udfff" for char in value)  # lone surrogates
            )
            return
        for affinity in ("", "TEXT", "INTEGER", "REAL", "NUMERIC", "DATETIME", "VARCHAR(16)"):
            connection.execute(f"CREATE TABLE t (v {affinity})")
            connection.execute(f"INSERT INTO t VALUES ({literal})")
            connection.execute("INSERT INTO t VALUES (?)", (value,))
            (a, type_a), (b, type_b) = connection.execute(
                "SELECT v, typeof(v) FROM t ORDER BY rowid"
            ).fetchall()
            assert (a, type_a) == (b, type_b)
            connection.execute("DROP TABLE t")
    finally:
        connection.close()
