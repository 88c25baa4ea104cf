"""The hash-chained audit log detects rows edited, deleted or inserted underneath it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Factledger

pytestmark = pytest.mark.integration


def _populate(factledger: Factledger) -> None:
    cid = str(factledger.json("claims", "add", "Blinken met Pashinyan and Aliyev on February 18.")["id"])
    factledger("cite", cid, "https://example.org/a", "--stance", "supports", "--quote", "met")
    factledger("claims", "status", cid, "in_review")
    factledger("claims", "status", cid, "supported", "--note", "matches the readout")
    factledger("claims", "add", "Another claim.")


def _sql(db_url: str, statement: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def test_intact_log_verifies(factledger: Factledger) -> None:
    _populate(factledger)
    result = factledger("audit", "verify", "--json")
    assert result.exit_code == 0, result.stderr
    assert '"events": 5' in result.stdout


@pytest.mark.parametrize(
    ("tamper", "bad_event"),
    [
        ("UPDATE events SET actor = 'mallory' WHERE id = 3", "event 3 was modified"),
        ("UPDATE events SET rationale = 'rewritten' WHERE id = 4", "event 4 was modified"),
        ('UPDATE events SET after = \'{"status": "refuted"}\' WHERE id = 4', "event 4 was modified"),
        ("DELETE FROM events WHERE id = 2", "event 3 does not follow"),
        ("DELETE FROM events WHERE id = 5", "the log ends at event 4"),
    ],
)
def test_tampering_is_detected_and_named(factledger: Factledger, tamper: str, bad_event: str) -> None:
    _populate(factledger)
    _sql(factledger.db_url, tamper)
    result = factledger("audit", "verify")
    assert result.exit_code == 1
    assert bad_event in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_change_writes_an_event_in_the_same_transaction(factledger: Factledger) -> None:
    cid = str(factledger.json("claims", "add", "A claim.")["id"])
    factledger("claims", "status", cid, "supported")
    refused = factledger("claims", "status", cid, "refuted")  # not allowed from a verdict
    assert refused.exit_code == 1
    history = factledger.json("claims", "history", cid)
    assert len(history) == 2
    assert factledger.json("claims", "show", cid)["version"] == 2
