"""`factledger ingest` and `factledger demo` on the bundled article, through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from factledger.ledger.database import open_ledger
from factledger.ledger.models import ClaimAppearance, Document
from tests.conftest import SEED_ARTICLE, Factledger

pytestmark = pytest.mark.integration


def test_ingest_stores_ranked_claims_with_exact_spans(factledger: Factledger) -> None:
    [report] = factledger.json("ingest", str(SEED_ARTICLE))
    assert report["already_ingested"] is False
    assert report["published"] == "2024-01-14"
    assert 10 <= report["claims_created"] <= 30
    scores = [c["score"] for c in report["claims"]]
    assert scores == sorted(scores, reverse=True)
    assert all(c["score_reasons"] for c in report["claims"])

    ledger = open_ledger(factledger.db_url)
    try:
        with ledger.read() as session:
            document = session.scalars(select(Document)).one()
            appearances = session.scalars(select(ClaimAppearance)).all()
            by_claim = {a.claim_id: a for a in appearances}
            for claim in report["claims"]:
                appearance = by_claim[claim["id"]]
                assert document.body[appearance.span_start : appearance.span_end] == claim["text"]
    finally:
        ledger.close()
    assert not document.body.startswith(" date")  # the header became the published date


def test_reingesting_changes_nothing(factledger: Factledger) -> None:
    factledger("ingest", str(SEED_ARTICLE))
    before = factledger.json("claims", "list", "--limit", "500")
    [again] = factledger.json("ingest", str(SEED_ARTICLE))
    assert again["already_ingested"] is True
    assert factledger.json("claims", "list", "--limit", "500") == before


def test_the_same_sentence_in_a_second_document_is_one_claim(factledger: Factledger, tmp_path: Path) -> None:
    factledger("ingest", str(SEED_ARTICLE))
    claims = factledger.json("claims", "list", "--limit", "500")
    top = max(claims, key=lambda c: c["score"])
    other = tmp_path / "other.txt"
    other.write_text(f"date 2024-02-01 An unrelated opening line. {top['text']}\n", encoding="utf-8")
    [report] = factledger.json("ingest", str(other), "--min-score", "0")
    linked = [c for c in report["claims"] if c["id"] == top["id"]]
    assert linked
    assert linked[0]["new"] is False
    assert len(factledger.json("claims", "list", "--limit", "500", "--search", top["text"][:40])) >= 1
    assert [e["kind"] for e in factledger.json("claims", "history", str(top["id"]))][-1] == "claim.appeared"


def test_ingest_bad_inputs(factledger: Factledger, tmp_path: Path) -> None:
    assert factledger("init").exit_code == 0
    missing = factledger("ingest", str(tmp_path / "absent.txt"))
    assert missing.exit_code == 1
    assert "no such file" in missing.stderr
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage\x81")
    bad = factledger("ingest", str(binary))
    assert bad.exit_code == 1
    assert len(bad.stderr.strip().splitlines()) == 1
    assert factledger.json("claims", "list") == []


def test_min_score_chooses_what_becomes_a_claim(factledger: Factledger) -> None:
    [everything] = factledger.json("ingest", str(SEED_ARTICLE), "--min-score", "0")
    assert everything["claims_created"] == everything["candidates"]


def test_make_demo_command_builds_a_fresh_ledger(tmp_path: Path) -> None:
    env = {**os.environ, "FACTLEDGER_HOME": str(tmp_path / "demo-home")}
    command = [sys.executable, "-m", "factledger", "demo", "--no-review"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "audit log:" in first.stdout
    assert "intact" in first.stdout
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "quote 'announced $11.5 million in humanitarian assistance': found" in second.stdout
    assert "suggested verdict: supported" in second.stdout
    assert list((tmp_path / "demo-home" / "demo" / "warcs").glob("*.warc.gz"))
    demo_db = tmp_path / "demo-home" / "demo" / "ledger.sqlite3"
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "factledger",
            "--db",
            f"sqlite:///{demo_db}",
            "claims",
            "list",
            "--json",
            "--limit",
            "500",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    claims = json.loads(listed.stdout)
    assert len(claims) >= 5
    assert len({c["text"] for c in claims}) == len(claims)  # rebuilt, not ingested twice
