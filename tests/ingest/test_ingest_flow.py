"""The ingest flow on both engines: a news article in, its metadata on the Document, speakers with their
kind on the claims, shown by `claims show`, carried by JSONL export and import; and migration 0007."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from factledger.ledger.database import Ledger, alembic_config
from tests.conftest import Factledger

pytestmark = pytest.mark.integration

NEWS = Path(__file__).resolve().parents[1] / "fixtures" / "news"
HEALTH = NEWS / "health-flu-admissions.txt"


def _claim(claims: list[dict[str, object]], opening: str) -> dict[str, object]:
    [found] = [claim for claim in claims if str(claim["text"]).startswith(opening)]
    return found


def test_ingest_fills_the_document_and_gives_speakers_a_kind(factledger: Factledger) -> None:
    [report] = factledger.json("ingest", str(HEALTH))
    assert (report["author"], report["published"], report["place"]) == ("Tomas Lindgren", "2025-01-24", None)
    assert report["title"] == "Flu admissions double in a week as hospitals open extra beds"
    texts = [claim["text"] for claim in report["claims"]]
    assert not any("Tomas Lindgren" in text or "Published" in text for text in texts)
    ministry = _claim(report["claims"], "It said the peak was expected")
    assert (ministry["speaker"], ministry["speaker_kind"], ministry["dates"]) == (
        "the health ministry",
        "organisation",
        ["2025-02-01/2025-02-28"],
    )
    doctor = _claim(report["claims"], '"We opened 60 extra beds')
    assert (doctor["speaker"], doctor["speaker_kind"]) == ("Dr. Ana Ruiz", "person")

    shown = factledger.json("claims", "show", str(ministry["id"]))
    assert shown["speaker_kind"] == "organisation"
    text = factledger("claims", "show", str(ministry["id"]))
    assert text.exit_code == 0, text.stderr
    assert "speaker: the health ministry (organisation)" in text.stdout


def test_a_dateline_gives_the_place_and_stays_out_of_the_claim(factledger: Factledger) -> None:
    [report] = factledger.json("ingest", str(NEWS / "wire-brief-rail-jobs.txt"))
    assert (report["place"], report["author"], report["published"]) == (
        "Frankfurt",
        "Jan Weber",
        "2024-12-03",
    )
    first = _claim(report["claims"], "Acme Rail will cut 900 jobs")
    assert (first["speaker"], first["speaker_kind"]) == ("Acme Rail", "organisation")


def test_speaker_kind_survives_jsonl_export_and_import(factledger: Factledger, tmp_path: Path) -> None:
    factledger("ingest", str(HEALTH))
    exported = factledger("export", "jsonl")
    assert exported.exit_code == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    kinds = {record["speaker"]: record["speaker_kind"] for record in records if record["speaker"]}
    assert kinds["the health ministry"] == "organisation"
    assert kinds["Dr. Ana Ruiz"] == "person"

    path = tmp_path / "claims.jsonl"
    path.write_text(
        json.dumps(
            {
                "text": "The port handled 2 million containers in 2024.",
                "speaker": "Port of Vella",
                "speaker_kind": "organisation",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert factledger("import", "jsonl", str(path)).exit_code == 0
    [imported] = [
        claim for claim in factledger.json("claims", "list") if claim["text"].startswith("The port handled")
    ]
    assert factledger.json("claims", "show", str(imported["id"]))["speaker_kind"] == "organisation"


def test_an_unknown_speaker_kind_is_refused_and_nothing_is_written(
    factledger: Factledger, tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"text": "The port handled 2 million containers.", "speaker_kind": "robot"}) + "\n",
        encoding="utf-8",
    )
    result = factledger("import", "jsonl", str(path))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert "speaker_kind" in lines[0]
    assert "'robot'" in lines[0]
    assert len(lines) == 2  # the bad line, then the summary
    assert "nothing imported" in lines[1]
    assert factledger.json("claims", "list") == []


def test_upgrade_from_0005_keeps_claims_and_adds_empty_kind_author_place(db_url: str, tmp_path: Path) -> None:
    ledger = Ledger(db_url)
    with ledger.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
    with ledger.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO documents (id, title, body, sha256, ingested_at) "
                "VALUES (1, 'Old', 'Old claim here. More.', 'd', '2024-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO claims (text, text_hash, speaker, status, needs_review, created_at, updated_at, "
                "version, document_id, span_start, span_end) VALUES ('Old claim here.', 'h', 'Ann Lee', "
                "'unreviewed', false, '2024-01-01 00:00:00', '2024-01-01 00:00:00', 1, 1, 0, 15)"
            )
        )
    ledger.close()
    factledger = Factledger(db_url=db_url, home=tmp_path / "home")
    assert factledger("init").exit_code == 0
    [claim] = factledger.json("claims", "list")
    shown = factledger.json("claims", "show", str(claim["id"]))
    assert (shown["text"], shown["speaker"], shown["speaker_kind"]) == ("Old claim here.", "Ann Lee", None)
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT title, author, place FROM documents")).one()
        assert tuple(row) == ("Old", None, None)
    finally:
        engine.dispose()
