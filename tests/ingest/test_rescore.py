"""`factledger rescore` and the claims' score_model, through the real command line on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from factledger.ingest.scoring import MODEL_ID, score_sentence
from factledger.ingest.worthiness import model as model_module
from factledger.ledger.database import Ledger, alembic_config
from tests.conftest import Factledger

pytestmark = pytest.mark.integration

SAMPLE = next((Path(__file__).resolve().parents[2] / "data" / "articles").glob("*.txt"))


def _execute(db_url: str, statement: str, **params: object) -> None:
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text(statement), params)
    engine.dispose()


def test_ingested_claims_record_their_model_and_show_it(factledger: Factledger) -> None:
    [report] = factledger.json("ingest", str(SAMPLE))
    assert report["claims"]
    assert {claim["score_model"] for claim in report["claims"]} == {MODEL_ID}
    claim = report["claims"][0]
    shown = factledger.json("claims", "show", str(claim["id"]))
    assert shown["score_model"] == MODEL_ID
    assert shown["score"] == score_sentence(shown["text"]).value
    human = factledger("claims", "show", str(claim["id"]))
    assert f"score_model: {MODEL_ID}" in human.stdout


def test_rescore_updates_old_scores_and_audits_each_change(factledger: Factledger) -> None:
    [report] = factledger.json("ingest", str(SAMPLE))
    manual = factledger.json("claims", "add", "Turnout fell to 41.5% in the capital in 2023.")
    ids = [claim["id"] for claim in report["claims"]]
    stale = ids[:3]
    # As an older model would have left them: another score, other reasons, no model name.
    for claim_id in stale:
        _execute(
            factledger.db_url,
            "UPDATE claims SET score = 0.01, score_reasons = NULL, score_model = NULL WHERE id = :id",
            id=claim_id,
        )
    versions = {claim_id: factledger.json("claims", "show", str(claim_id))["version"] for claim_id in stale}

    result = factledger.json("rescore")
    assert result == {"model": MODEL_ID, "claims": len(ids) + 1, "changed": len(stale) + 1}
    for claim_id in [*stale, manual["id"]]:
        shown = factledger.json("claims", "show", str(claim_id))
        expected = score_sentence(shown["text"])
        assert (shown["score"], shown["score_reasons"], shown["score_model"]) == (
            expected.value,
            expected.reasons,
            MODEL_ID,
        )
        history = factledger.json("claims", "history", str(claim_id))
        assert history[-1]["kind"] == "claim.rescored"
        assert history[-1]["after"] == {"score": expected.value, "score_model": MODEL_ID}
    first = factledger.json("claims", "history", str(stale[0]))[-1]
    assert first["before"] == {"score": 0.01, "score_model": None}
    assert first["actor"] == "tester"
    assert all(factledger.json("claims", "show", str(i))["version"] == versions[i] for i in stale)
    assert factledger.json("audit", "verify")["ok"] is True

    again = factledger.json("rescore")
    assert again == {"model": MODEL_ID, "claims": len(ids) + 1, "changed": 0}


def test_rescore_of_an_empty_ledger(factledger: Factledger) -> None:
    assert factledger("init").exit_code == 0  # rescore reads a ledger; it does not create one
    assert factledger.json("rescore") == {"model": MODEL_ID, "claims": 0, "changed": 0}
    human = factledger("rescore")
    assert human.exit_code == 0
    assert f"rescored 0 claims with {MODEL_ID}: 0 changed" in human.stderr


@pytest.fixture
def broken_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The package's weights directory pointed at a corrupt weights file."""
    directory = tmp_path / "weights"
    directory.mkdir()
    (directory / f"{MODEL_ID}.json.gz").write_bytes(b"\x1f\x8b truncated")
    monkeypatch.setattr(model_module, "MODEL_DIR", directory)
    model_module.load_model.cache_clear()
    yield directory
    model_module.load_model.cache_clear()


def test_a_corrupt_model_is_one_line_and_exit_1_writing_nothing(
    factledger: Factledger, broken_model: Path
) -> None:
    factledger.json("claims", "add", "A claim scored by nobody yet.")
    for args in (("rescore",), ("ingest", str(SAMPLE))):
        result = factledger(*args)
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("factledger: error: check-worthiness model is unreadable: ")
    history = factledger.json("claims", "history", "1")
    assert [event["kind"] for event in history] == ["claim.created"]
    assert factledger.json("claims", "list", "--search", "Power") == []


def test_upgrade_from_0005_keeps_claims_and_rescore_names_their_model(db_url: str, tmp_path: Path) -> None:
    ledger = Ledger(db_url)
    with ledger.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
        connection.execute(
            text(
                "INSERT INTO claims (text, text_hash, status, needs_review, created_at, updated_at, version, "
                "score, score_reasons) VALUES ('Exports rose 12% in 2023.', 'h', 'unreviewed', false, "
                "'2024-01-01 00:00:00', '2024-01-01 00:00:00', 1, 0.5, '[\"quantity\"]')"
            )
        )
    ledger.close()
    factledger = Factledger(db_url=db_url, home=tmp_path / "home")
    assert factledger("init").exit_code == 0
    [old] = factledger.json("claims", "list")
    shown = factledger.json("claims", "show", str(old["id"]))
    assert (shown["text"], shown["score"], shown["score_reasons"], shown["score_model"]) == (
        "Exports rose 12% in 2023.",
        0.5,
        ["quantity"],
        None,
    )
    assert factledger.json("rescore")["changed"] == 1
    assert factledger.json("claims", "show", str(old["id"]))["score_model"] == MODEL_ID
