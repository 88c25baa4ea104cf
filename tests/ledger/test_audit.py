"""The hash-chained audit log detects rows edited, deleted or inserted underneath it."""

from __future__ import annotations

import json
from pathlib import Path

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


# ---------------------------------------------------------------- replay against the claims (issue 14, §4)


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        # Hostile input: the claims table edited directly, with no event (the audit chain itself intact).
        ("UPDATE claims SET status = 'refuted' WHERE id = 1", "claim 1 differs from its history: its status"),
        ("UPDATE claims SET version = 9 WHERE id = 1", "claim 1 differs from its history: its version"),
        (
            "UPDATE claims SET assignee = 'mallory' WHERE id = 2",
            "claim 2 differs from its history: its assignee",
        ),
        (
            "UPDATE claims SET text = 'Something else.' WHERE id = 2",
            "claim 2 differs from its history: its text",
        ),
        ("DELETE FROM evidence WHERE claim_id = 1", "claim 1 differs from its history: its evidence links"),
    ],
)
def test_state_edited_behind_the_log_is_named(factledger: Factledger, tamper: str, named: str) -> None:
    _populate(factledger)
    _sql(factledger.db_url, tamper)
    result = factledger("audit", "verify")
    assert result.exit_code == 1
    assert named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_imported_claims_replay_with_their_text(factledger: Factledger, tmp_path: Path) -> None:
    records = tmp_path / "in.jsonl"
    lines = [
        {
            "text": f"Imported claim number {n}.",
            "evidence": [{"url": f"https://example.org/{n}", "stance": "supports"}],
        }
        for n in range(3)
    ]
    records.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert factledger("import", "jsonl", str(records)).exit_code == 0
    assert factledger.json("audit", "verify")["claims"] == 3
    # Hostile input: an imported claim's text rewritten in the table.
    _sql(factledger.db_url, "UPDATE claims SET text = 'Rewritten.' WHERE id = 3")
    result = factledger("audit", "verify")
    assert result.exit_code == 1
    assert "claim 3 differs from its history: its text is “Rewritten.”" in result.stderr


def test_emptied_log_is_caught_while_claims_exist(factledger: Factledger) -> None:
    # Hostile input: every event and the head deleted, which a chain alone reads as an empty, intact log.
    _populate(factledger)
    _sql(factledger.db_url, "DELETE FROM events")
    _sql(factledger.db_url, "DELETE FROM audit_head")
    result = factledger("audit", "verify")
    assert result.exit_code == 1
    assert "claim 1 is in the ledger but no event in the log created it" in result.stderr


def test_truncation_with_a_rewritten_head_is_caught_by_an_anchor(
    factledger: Factledger, tmp_path: Path
) -> None:
    _populate(factledger)
    anchor = tmp_path / "anchor.json"
    written = factledger("audit", "anchor", "-o", str(anchor))
    assert written.exit_code == 0, written.stderr
    assert json.loads(anchor.read_text())["events"] == 5
    ok = factledger("audit", "verify", "--anchor", str(anchor))
    assert ok.exit_code == 0, ok.stderr
    assert "extends the anchor" in ok.stderr
    # Hostile input: the last event (the second claim's creation) and that claim deleted, and the head
    # rewritten to the new end, so the chain, the head and the replay all agree.
    _sql(factledger.db_url, "DELETE FROM events WHERE id = 5")
    _sql(factledger.db_url, "DELETE FROM claims WHERE id = 2")
    _sql(
        factledger.db_url,
        "UPDATE audit_head SET event_id = 4, count = 4, hash = (SELECT hash FROM events WHERE id = 4)",
    )
    assert factledger("audit", "verify").exit_code == 0  # without the anchor nothing can tell
    result = factledger("audit", "verify", "--anchor", str(anchor))
    assert result.exit_code == 1
    assert "the log holds 4 events but the anchor" in result.stderr
    assert "recorded 5: events were removed" in result.stderr


def test_a_rewritten_history_does_not_extend_the_anchor(factledger: Factledger, tmp_path: Path) -> None:
    _populate(factledger)
    anchor = tmp_path / "anchor.json"
    anchor.write_text(factledger("audit", "anchor").stdout)
    # Hostile input: an anchor whose hash is not the log's (the log was rebuilt with other content).
    data = json.loads(anchor.read_text())
    data["hash"] = "f" * 64
    anchor.write_text(json.dumps(data))
    result = factledger("audit", "verify", "--anchor", str(anchor))
    assert result.exit_code == 1
    assert "event 5 is the anchor's event 5 but not the one it recorded" in result.stderr


def test_a_rewrite_before_the_anchor_is_named_before_a_later_problem(
    factledger: Factledger, tmp_path: Path
) -> None:
    """Two problems in one batch of events: the anchor's event differs (the log was rewritten up to
    it) and a later event was modified. The first in log order, the rewrite, is the one named."""
    _populate(factledger)
    anchor = tmp_path / "anchor.json"
    anchor.write_text(factledger("audit", "anchor").stdout)
    data = json.loads(anchor.read_text())
    data["hash"] = "f" * 64  # hostile input: not the hash of the log's event 5
    anchor.write_text(json.dumps(data))
    factledger("claims", "add", "A third claim, logged after the anchor.")
    _sql(factledger.db_url, "UPDATE events SET actor = 'mallory' WHERE id = 6")
    result = factledger("audit", "verify", "--anchor", str(anchor))
    assert result.exit_code == 1
    assert "event 5 is the anchor's event 5 but not the one it recorded" in result.stderr
    assert "event 6" not in result.stderr


@pytest.mark.parametrize("content", ["", "{}", '{"format": "factledger-audit-anchor/1"}', "\xff"])
def test_a_bad_anchor_file_is_one_line(factledger: Factledger, tmp_path: Path, content: str) -> None:
    _populate(factledger)
    anchor = tmp_path / "anchor.json"
    anchor.write_text(content, encoding="latin-1")
    result = factledger("audit", "verify", "--anchor", str(anchor))
    assert result.exit_code == 1
    assert "anchor" in result.stderr
    assert "internal error" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_broken_log_is_not_anchored(factledger: Factledger, tmp_path: Path) -> None:
    _populate(factledger)
    _sql(factledger.db_url, "UPDATE claims SET status = 'refuted' WHERE id = 1")
    result = factledger("audit", "anchor", "-o", str(tmp_path / "anchor.json"))
    assert result.exit_code == 1
    assert "cannot be anchored" in result.stderr
    assert not (tmp_path / "anchor.json").exists()


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        # Hostile input: a corrupt `after` (not JSON) and an unreadable `at` in one event. Only SQLite
        # stores such rows (PostgreSQL's json and timestamp types refuse them).
        ("UPDATE events SET after = '{\"status\": ' WHERE id = 4", "event 4 has a corrupt `after` (not JSON"),
        ("UPDATE events SET before = 'nope' WHERE id = 4", "event 4 has a corrupt `before` (not JSON"),
        ("UPDATE events SET at = 'yesterday' WHERE id = 2", "event 2 has an unreadable time `at`"),
        ("UPDATE events SET after = '[1, 2]' WHERE id = 1", "event 1 was modified"),
    ],
)
def test_malformed_events_are_named_not_crashed_on(
    sqlite_url: str, tmp_path: Path, tamper: str, named: str
) -> None:
    factledger = Factledger(db_url=sqlite_url, home=tmp_path / "home")
    _populate(factledger)
    _sql(sqlite_url, tamper)
    result = factledger("audit", "verify")
    assert result.exit_code == 1
    assert named in result.stderr
    assert "internal error" not in result.stderr
