"""The bulk import gives the ledger that the plain, one-row-at-a-time semantics give, event for event.

``_reference_import`` spells out what an import means with the ORM and the slow paths only: the full URL
normalizer (no already-canonical shortcut, no caches), the regex-based text normalization the hashes
were first defined with, an ORM insert per claim, source and evidence (the full-text trigger indexing
each claim), and one ``append_event`` of a payload dict per event. The bulk path (numbered ids, the
search index filled per chunk, payloads written as canonical text, cached URL and date checks) must end
in the same rows: claims, sources, evidence, the events' kinds, claims, payloads and origins, and the
same search answers; both logs verify.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from factledger.exchange import jsonl
from factledger.ledger.audit import CanonicalObject, NewEvent, append_event, canonical_json, canonical_object
from factledger.ledger.audit_verify import verify_log
from factledger.ledger.bulk import claim_import
from factledger.ledger.claims import ClaimDraft, ClaimFilter, add_claim, list_claims, normalize_claim_text
from factledger.ledger.clock import utcnow
from factledger.ledger.database import Ledger, open_ledger
from factledger.ledger.models import Claim, Evidence, Source
from factledger.ledger.statuses import ClaimStatus
from factledger.ledger.urls import normalize_url
from tests.conftest import fresh_postgres_schema

CHUNK = 4
ORIGIN = "import jsonl sample.jsonl"
ACTOR = "tester"

# The claim-text normalization as first written (a regex for runs of space, NFKC and the quote table
# applied to every text): the bulk path's shortcuts must hash every text to the same value.
_SPACE_RUN = re.compile(r"\s+")
_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'"})


def _reference_normalization(text_: str) -> str:
    folded = unicodedata.normalize("NFKC", text_).translate(_QUOTE_MARKS)
    return _SPACE_RUN.sub(" ", folded).strip().rstrip(".").casefold()


def _reference_hash(text_: str) -> bytes:
    return hashlib.sha256(_reference_normalization(text_).encode("utf-8")).digest()


def _sample() -> list[dict[str, Any]]:
    """Claims that meet every branch: duplicates (in one chunk and across chunks, by case, spacing,
    compatibility forms and curly quotes), a claim already in the ledger, URLs in normal form and not,
    repeated sources, repeated links, non-ASCII text, every optional field."""
    texts = [
        "The budget rose 4 percent in 2023.",
        "Unemployment fell to 3.9% last year",
        "THE BUDGET ROSE 4 PERCENT IN 2023",  # same claim as the first, same chunk
        "Exports to Zanzibar doubled since 2010.",
        "Wages grew  faster\tthan prices.",
        "Crime in the city is at a “record” low.",
        "ﬁve hundred schools closed in ２０２２.",  # NFKC: "five hundred schools closed in 2022"
        "Wages grew faster than prices",  # same as the fifth (spacing), later chunk
        'Crime in the city is at a "record" low.',  # same as the sixth (straight quotes)
        "Five hundred schools closed in 2022.",  # same as the seventh (case, NFKC)
        "Already in the ledger before the import.",
        "Η ανεργία μειώθηκε στο 10%.",
        "Das Budget stieg um 4\u00a0Prozent.",
        "Ο πληθωρισμός αυξήθηκε.",
        "Exports to Zanzibar doubled since 2010",  # seen in an earlier chunk, new evidence
        "  Padded text is stored stripped.\t",  # the validation's ASCII fast path strips it too
    ]
    urls = [
        "https://example.org/budget",
        "https://EXAMPLE.org/budget#section",  # the same source once normalized
        "http://www.stats.example.gov/report?utm_source=x&year=2023",
        "https://example.org:443/wages",
        "https://example.org/wages",
        "https://bücher.example/a",
        "https://example.org/budget",
    ]
    rows: list[dict[str, Any]] = []
    for index, claim_text in enumerate(texts):
        row: dict[str, Any] = {"text": claim_text}
        if index % 3 == 0:
            row["speaker"] = "Ann Ö’Brien"
            row["speaker_kind"] = "person"
        if index % 2 == 0:
            row["date"] = f"2023-0{1 + index % 9}-1{index % 10}"
        if index % 4 == 1:
            row["dates"] = ["2022-01-01/2022-12-31"]
        row["status"] = ["unreviewed", "supported", "refuted", "in_review", ""][index % 5]
        if index % 5 == 2:
            row["score"] = 0.25
            row["rationale"] = "Checked against the report."
        row["evidence"] = [
            {"url": urls[index % len(urls)], "stance": "supports", "quote": f"  quote {index % 6}  "},
            {"url": urls[(index * 3 + 1) % len(urls)], "stance": "refutes"},
        ]
        if index < CHUNK + 2:  # notes in the first two chunks only: later chunks have none
            row["evidence"][1]["note"] = "see p. 4"
        if index % 7 == 3:
            row["evidence"].append(dict(row["evidence"][0]))  # the same link twice in one record
        rows.append(row)
    return rows


def _reference_import(ledger: Ledger, rows: list[dict[str, Any]]) -> None:
    """What an import means, with the ORM and the plain paths, chunk by chunk like the bulk path."""
    with ledger.write() as session:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            created: dict[bytes, int] = {}
            added: dict[int, int] = {}
            order: list[tuple[bytes, int]] = []
            # A chunk's new sources are numbered in the order of their normalized URLs.
            for url in sorted({normalize_url(item["url"]) for row in chunk for item in row["evidence"]}):
                if session.scalars(select(Source.id).where(Source.url == url)).first() is None:
                    now = utcnow()
                    session.add(
                        Source(
                            url=url,
                            domain=urlsplit(url).hostname,  # not domain_of's shortcut
                            health="unknown",
                            created_at=now,
                            consecutive_failures=0,
                            next_check_at=now,
                        )
                    )
                    session.flush()
            for row in chunk:
                claim_text = row["text"].strip()
                text_hash = _reference_hash(claim_text)
                # Claims store the first 8 bytes of the hash; the full one is checked on their texts.
                candidates = session.execute(
                    select(Claim.id, Claim.text).where(Claim.text_hash == text_hash[:8]).order_by(Claim.id)
                )
                claim_id = next(
                    (cid for cid, text_ in candidates if _reference_hash(text_) == text_hash), None
                )
                if claim_id is None:
                    dates = ([row["date"]] if row.get("date") else []) + row.get("dates", [])
                    claim = Claim(
                        text=claim_text,
                        text_hash=text_hash[:8],
                        speaker=row.get("speaker"),
                        speaker_kind=row.get("speaker_kind"),
                        dates=list(dict.fromkeys(dates)) or None,
                        score=row.get("score"),
                        status=row.get("status") or "unreviewed",
                        rationale=row.get("rationale"),
                        needs_review=False,
                        created_at=utcnow(),
                        updated_at=utcnow(),
                        version=1,
                    )
                    session.add(claim)
                    session.flush()
                    claim_id = claim.id
                    created[text_hash] = claim_id
                if all(text_hash != seen for seen, _ in order):
                    order.append((text_hash, claim_id))
                for item in row["evidence"]:
                    url = normalize_url(item["url"])
                    source = session.scalars(select(Source).where(Source.url == url)).one()
                    quote = (item.get("quote") or "").strip() or None
                    exists = session.scalars(
                        select(Evidence.id).where(
                            Evidence.claim_id == claim_id,
                            Evidence.source_id == source.id,
                            Evidence.stance == item["stance"],
                            Evidence.quote.is_(None) if quote is None else Evidence.quote == quote,
                        )
                    ).first()
                    if exists is not None:
                        continue
                    session.add(
                        Evidence(
                            claim_id=claim_id,
                            source_id=source.id,
                            stance=item["stance"],
                            quote=quote,
                            note=item.get("note"),
                            quote_status="unchecked",
                            added_by=ACTOR,
                            added_at=utcnow(),
                        )
                    )
                    session.flush()
                    added[claim_id] = added.get(claim_id, 0) + 1
            for text_hash, claim_id in order:
                count = added.get(claim_id, 0)
                if text_hash in created:
                    stored = session.get(Claim, claim_id)
                    assert stored is not None
                    after = {"status": stored.status, "text": stored.text, "evidence": count}
                    append_event(session, ACTOR, NewEvent("claim.imported", claim_id, None, after, ORIGIN))
                elif count:
                    append_event(
                        session,
                        ACTOR,
                        NewEvent("evidence.imported", claim_id, None, {"evidence": count}, ORIGIN),
                    )


def _bulk_import(ledger: Ledger, path: Path) -> None:
    with path.open("rb") as stream, ledger.write() as session:
        claim_import.import_claims(session, ACTOR, jsonl.read_jsonl(stream), origin=ORIGIN)


@dataclass
class LedgerState:
    claims: list[tuple[Any, ...]]
    sources: list[tuple[Any, ...]]
    evidence: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    searches: dict[str, list[int]]
    indexes: list[tuple[Any, ...]]
    clock: list[tuple[Any, ...]]


SEARCHES = (
    "budget",
    "wages prices",
    "record",
    "zanzibar",
    "ανεργία",
    "doubled 2010",
    "schools hundred",
    "prozent",
)


def _state(ledger: Ledger) -> LedgerState:
    """Every stored value that does not depend on the clock or on the hash chain's timestamps."""
    with ledger.read() as session:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(row) for row in session.execute(text(sql))]

        claims = rows(
            "SELECT id, text, text_hash, speaker, speaker_kind, dates, score, status, rationale, "
            "needs_review, version, document_id, original_text_hash FROM claims ORDER BY id"
        )
        sources = rows(
            "SELECT id, url, domain, health, consecutive_failures, next_check_at IS NOT NULL "
            "FROM sources ORDER BY id"
        )
        evidence = rows(
            "SELECT id, claim_id, source_id, stance, quote, note, quote_status, added_by "
            "FROM evidence ORDER BY id"
        )
        events = [
            (event_id, actor, kind, claim_id, _json(before), _json(after), rationale)
            for event_id, actor, kind, claim_id, before, after, rationale in rows(
                "SELECT id, actor, kind, claim_id, before, after, rationale FROM events ORDER BY id"
            )
        ]
        searches = {
            words: [claim.id for claim in list_claims(session, ClaimFilter(search=words, limit=100))]
            for words in SEARCHES
        }
        report = verify_log(session)
        indexes = _indexes(session)
        clock = _clock_values(session)
    assert report.ok, report
    return LedgerState(claims, sources, evidence, events, searches, indexes, clock)


# The clock's columns, whose values differ between two runs: the bulk path gives each batch's time once
# (written into its statement on SQLite, bulk/driver_sql.py), so how each is stored is compared instead.
_CLOCK_COLUMNS = {
    "claims": ("created_at", "updated_at"),
    "sources": ("created_at", "next_check_at"),
    "evidence": ("added_at",),
    "events": ("at",),
}


def _clock_values(session: Session) -> list[tuple[Any, ...]]:
    """Per row of every table the import writes, each clock column's storage type and length of text on
    SQLite (a timestamp stored as text of 26 characters), or whether it is set on PostgreSQL."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    shapes = []
    for table, columns in _CLOCK_COLUMNS.items():
        shown = ", ".join(
            f"typeof({column}), length({column})" if sqlite else f"{column} IS NOT NULL" for column in columns
        )
        shapes += [(table, *row) for row in session.execute(text(f"SELECT {shown} FROM {table} ORDER BY id"))]
    return shapes


def _indexes(session: Session) -> list[tuple[Any, ...]]:
    """Every index with its definition; on SQLite, after checking that each holds exactly its table's
    rows (the import defers some and builds them again at its end: bulk/deferred_indexes.py)."""
    if session.get_bind().dialect.name == "sqlite":
        assert session.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
        return [
            tuple(row)
            for row in session.execute(
                text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
            )
        ]
    return [
        tuple(row)
        for row in session.execute(
            text(
                "SELECT indexname, tablename, replace(indexdef, current_schema() || '.', '') FROM pg_indexes "
                "WHERE schemaname = current_schema() ORDER BY indexname"
            )
        )
    ]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


@pytest.fixture
def twin_urls(db_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty ledgers on the engine under test."""
    if db_url.startswith("sqlite"):
        yield db_url, f"sqlite:///{tmp_path / 'reference.sqlite3'}"
        return
    with fresh_postgres_schema() as reference:
        yield db_url, reference


@pytest.mark.integration
@pytest.mark.parametrize("start", ["a claim", "empty", "empty, every hash maybe created"])
def test_bulk_import_gives_the_reference_ledger_event_for_event(
    twin_urls: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """From a ledger holding a claim the import meets again, and from an empty one (where the bulk path
    looks up only the hashes it may have created itself, and no URL: claim_import._CreatedHashes),
    also with a filter so small that it takes every hash for one it created."""
    monkeypatch.setattr(claim_import, "CHUNK_SIZE", CHUNK)
    if start == "empty, every hash maybe created":
        monkeypatch.setattr(claim_import._CreatedHashes, "_BITS", 1)
    rows = _sample()
    path = tmp_path / "sample.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    states = []
    for url, run_import in ((twin_urls[0], True), (twin_urls[1], False)):
        ledger = open_ledger(url)
        try:
            if start == "a claim":
                with ledger.write() as session:  # a claim the import meets again
                    add_claim(session, ACTOR, ClaimDraft(text="Already in the ledger before the import"))
            for _ in range(2):  # the second run finds everything known: no new rows, no events
                if run_import:
                    _bulk_import(ledger, path)
                else:
                    _reference_import(ledger, rows)
            states.append(_state(ledger))
        finally:
            ledger.close()
    bulk, reference = states
    # The sample meets every branch: 10 new claims (6 records repeat one), events of every kind.
    assert len(reference.claims) == 11
    assert len(reference.events) == (15 if start == "a claim" else 14)
    assert {event[2] for event in reference.events} == {
        *(["claim.created"] if start == "a claim" else []),
        "claim.imported",
        "evidence.imported",
    }
    assert bulk.claims == reference.claims
    assert bulk.sources == reference.sources
    assert bulk.evidence == reference.evidence
    assert bulk.events == reference.events
    assert bulk.searches == reference.searches
    assert all(reference.searches.values())
    assert bulk.indexes == reference.indexes
    assert bulk.clock == reference.clock
    if twin_urls[0].startswith("sqlite"):
        assert all(set(zip(row[1::2], row[2::2], strict=True)) == {("text", 26)} for row in reference.clock)


_WHITESPACE = "".join(chr(c) for c in range(0x3000 + 1) if chr(c).isspace())


@pytest.mark.unit
@given(st.text(alphabet=st.sampled_from("aZ.é“”‘’ﬁ２\u0301" + _WHITESPACE)) | st.text())
def test_claim_normalization_is_the_reference_one(value: str) -> None:
    assert normalize_claim_text(value) == _reference_normalization(value)


@pytest.mark.unit
@given(
    st.sampled_from([*(status.value for status in ClaimStatus), "other"]), st.text(), st.integers(0, 10**6)
)
def test_imported_claim_payload_is_canonical_json(status: str, claim_text: str, evidence: int) -> None:
    payload = claim_import.imported_claim_payload(status, claim_text, evidence)
    assert payload == canonical_json({"status": status, "text": claim_text, "evidence": evidence})
    assert type(payload) is CanonicalObject  # appended as the text it is, not encoded again


@pytest.mark.unit
@given(st.dictionaries(st.text(), st.none() | st.booleans() | st.integers() | st.text(), max_size=5))
def test_canonical_object_is_canonical_json(fields: dict[str, Any]) -> None:
    assert canonical_object(fields) == canonical_json(fields)
