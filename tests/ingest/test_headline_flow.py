"""Headlines on both engines: stored linked as the headline (claim and appearance), shown by `claims show`
and in --json, never a body claim; migration 0009 gives existing rows the body role. Also the speaker
kind of a claim added by hand or imported from CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from factledger.ledger.database import Ledger, alembic_config
from tests.conftest import Factledger

pytestmark = pytest.mark.integration

HEADLINE = "Kelso Foods to cut 400 jobs at Dundee bakery after 12% fall in sales"
ARTICLE = (
    f"{HEADLINE}\n\nBy Ada Obi\nPublished May 6, 2025\n\n"
    "Kelso Foods will close its Dundee bakery in September, the company said on Monday.\n\n"
    "Sales of its bread fell 12% in 2024, according to its annual accounts."
)


def _appearance_roles(db_url: str) -> list[tuple[int, str, int]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT claim_id, role, document_id FROM claim_appearances ORDER BY id")
            )
            return [(row[0], row[1], row[2]) for row in rows]
    finally:
        engine.dispose()


def test_a_headline_is_stored_linked_as_the_headline(
    factledger: Factledger, tmp_path: Path, db_url: str
) -> None:
    article = tmp_path / "bakery.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    [report] = factledger.json("ingest", str(article))
    assert report["title"] == HEADLINE
    [headline] = [claim for claim in report["claims"] if claim["text"] == HEADLINE]
    assert headline["role"] == "headline"
    body = [claim for claim in report["claims"] if claim["text"] != HEADLINE]
    assert body
    assert all(claim["role"] is None for claim in body)

    shown = factledger.json("claims", "show", str(headline["id"]))
    assert (shown["role"], shown["span"], shown["document_id"]) == ("headline", None, report["document_id"])
    printed = factledger("claims", "show", str(headline["id"]))
    assert printed.exit_code == 0, printed.stderr
    assert "role: headline" in printed.stdout
    listed = factledger("claims", "list")
    assert listed.exit_code == 0, listed.stderr
    [row] = [line for line in listed.stdout.splitlines() if "Kelso Foods to cut" in line]
    assert "headline" in row
    roles = {claim_id: role for claim_id, role, _ in _appearance_roles(db_url)}
    assert roles[headline["id"]] == "headline"
    assert {roles[claim["id"]] for claim in body} == {"body"}


def test_the_same_words_in_another_body_are_a_body_appearance_of_the_same_claim(
    factledger: Factledger, tmp_path: Path, db_url: str
) -> None:
    first = tmp_path / "bakery.txt"
    first.write_text(ARTICLE, encoding="utf-8")
    [report] = factledger.json("ingest", str(first))
    [headline] = [claim for claim in report["claims"] if claim["text"] == HEADLINE]
    second = tmp_path / "roundup.txt"
    second.write_text(
        f"Business roundup\n\nPublished May 7, 2025\n\n{HEADLINE}. Shares in the group fell 3% on Tuesday.",
        encoding="utf-8",
    )
    [again] = factledger.json("ingest", str(second))
    [linked] = [claim for claim in again["claims"] if claim["id"] == headline["id"]]
    assert (linked["new"], linked["role"]) == (False, "headline")  # the claim keeps its first link's role
    links = [
        (role, document)
        for claim_id, role, document in _appearance_roles(db_url)
        if claim_id == headline["id"]
    ]
    assert links == [("headline", report["document_id"]), ("body", again["document_id"])]


def test_upgrade_from_0008_gives_existing_claims_and_appearances_the_body_role(
    db_url: str, tmp_path: Path
) -> None:
    ledger = Ledger(db_url)
    with ledger.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0008")
    with ledger.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO documents (id, title, body, sha256, ingested_at) "
                "VALUES (1, 'Old', 'Old claim here. More.', 'd', '2024-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO claims (id, text, text_hash, status, needs_review, created_at, updated_at, "
                "version, document_id, span_start, span_end) VALUES (1, 'Old claim here.', 'h', "
                "'unreviewed', false, '2024-01-01 00:00:00', '2024-01-01 00:00:00', 1, 1, 0, 15)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO claim_appearances (claim_id, document_id, span_start, span_end, found_at) "
                "VALUES (1, 1, 0, 15, '2024-01-01 00:00:00')"
            )
        )
    ledger.close()
    factledger = Factledger(db_url=db_url, home=tmp_path / "home")
    assert factledger("init").exit_code == 0
    shown = factledger.json("claims", "show", "1")
    assert (shown["text"], shown["role"], shown["span"]) == ("Old claim here.", None, [0, 15])
    assert _appearance_roles(db_url) == [(1, "body", 1)]


def test_claims_add_records_the_speaker_kind(factledger: Factledger) -> None:
    added = factledger.json(
        "claims",
        "add",
        "Kelso Foods sold 12 million loaves in 2024.",
        "--speaker",
        "Kelso Foods",
        "--speaker-kind",
        "organisation",
    )
    assert factledger.json("claims", "show", str(added["id"]))["speaker_kind"] == "organisation"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (["--speaker", "Ada Obi", "--speaker-kind", "robot"], "speaker_kind"),
        (["--speaker-kind", "person"], "speaker_kind"),  # a kind of nobody
    ],
)
def test_claims_add_refuses_a_bad_speaker_kind(
    factledger: Factledger, arguments: list[str], field: str
) -> None:
    assert factledger("init").exit_code == 0
    result = factledger("claims", "add", "Kelso Foods sold 12 million loaves.", *arguments)
    assert result.exit_code == 1
    assert field in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert factledger.json("claims", "list") == []


def test_csv_export_and_import_carry_the_speaker_kind(factledger: Factledger, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(
        "text,speaker,speaker_kind\r\n"
        "The port handled 2 million containers in 2024.,Port of Vella,organisation\r\n",
        encoding="utf-8",
    )
    imported = factledger("import", "csv", str(path))
    assert imported.exit_code == 0, imported.stderr
    [claim] = factledger.json("claims", "list")
    assert (claim["speaker"], claim["speaker_kind"]) == ("Port of Vella", "organisation")
    exported = factledger("export", "csv")
    assert exported.exit_code == 0, exported.stderr
    header, row = exported.stdout.splitlines()[:2]
    assert header.split(",")[:4] == ["id", "text", "speaker", "speaker_kind"]
    assert "Port of Vella,organisation" in row


def test_exports_carry_the_role_and_the_scoring_model(factledger: Factledger, tmp_path: Path) -> None:
    """JSONL and CSV exports say which claim is a headline and which model gave each score; import
    ignores both (they are read-only, like ``id``)."""
    article = tmp_path / "bakery.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    [report] = factledger.json("ingest", str(article))
    models = {claim["score_model"] for claim in report["claims"]}
    assert None not in models, "every ingested claim has a scoring model"

    jsonl = tmp_path / "out.jsonl"
    assert factledger("export", "jsonl", "-o", str(jsonl)).exit_code == 0
    exported = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    by_text = {claim["text"]: claim for claim in exported}
    assert by_text[HEADLINE]["role"] == "headline"
    assert {claim["role"] for text, claim in by_text.items() if text != HEADLINE} == {None}
    assert {claim["score_model"] for claim in exported} == models

    out_csv = tmp_path / "out.csv"
    assert factledger("export", "csv", "-o", str(out_csv)).exit_code == 0
    with out_csv.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["role"] for row in rows if row["text"] == HEADLINE} == {"headline"}
    assert {row["role"] for row in rows if row["text"] != HEADLINE} == {""}
    assert {row["score_model"] for row in rows} == models

    # Both files import again: the read-only fields are known and ignored (a no-op re-import).
    for exported_file, kind in ((jsonl, "jsonl"), (out_csv, "csv")):
        result = factledger("import", kind, str(exported_file))
        assert result.exit_code == 0, result.stderr
