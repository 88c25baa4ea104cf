"""Issue 14 §7: a reviewer's write during a long bulk import on SQLite (a real file, separate processes).

An import is one transaction, so an interrupted import leaves nothing behind, and on SQLite it holds the
write lock for its whole run (README, "Big imports and the write lock"). What must hold: readers see
nothing of the import until it commits; a writer waits for it (up to the busy timeout) and then goes
through; and a writer that waits longer than the busy timeout gets one line saying what happened and
that nothing changed, never a bare "database is locked".
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from factledger.ledger.database import BUSY_TIMEOUT_VARIABLE
from tests.conftest import Factledger

pytestmark = pytest.mark.integration

CLAIMS = 80_000


def _write_import(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(CLAIMS):
            record = {
                "text": f"Imported claim {n}: {n % 91} of {n % 17 + 2} counted on day {n % 27 + 1}.",
                "evidence": [
                    {"url": f"https://example.org/{n % 3000}", "stance": "supports", "quote": f"q{n}"}
                ],
            }
            out.write(json.dumps(record) + "\n")


def _lock_is_held(database: Path) -> bool:
    """Whether another connection holds the write lock (probing takes it for an instant otherwise)."""
    connection = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return True
    finally:
        connection.close()


def test_a_reviewer_write_during_a_long_import(sqlite_url: str, tmp_path: Path) -> None:
    factledger = Factledger(db_url=sqlite_url, home=tmp_path / "home")
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    claim = str(factledger.json("claims", "add", "A claim a reviewer is working on.")["id"])
    records = tmp_path / "big.jsonl"
    _write_import(records)

    # Hostile input: an 80,000-claim import, started in its own process, holding the write lock.
    importer = subprocess.Popen(
        factledger.command("import", "jsonl", str(records)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not _lock_is_held(database):
        assert importer.poll() is None, "the import ended before it was seen holding the lock"
        assert time.monotonic() < deadline
        time.sleep(0.02)

    # A reader sees none of the import while it runs (all or nothing).
    assert len(factledger.json("claims", "list", "--limit", "10")) == 1

    # A writer with a short busy timeout: one clear line, exit 1, nothing changed.
    impatient = subprocess.run(
        factledger.command("claims", "status", claim, "in_review"),
        capture_output=True,
        text=True,
        env={**os.environ, BUSY_TIMEOUT_VARIABLE: "200"},
        timeout=60,
    )
    assert impatient.returncode == 1, impatient.stderr
    assert impatient.stderr.strip().count("\n") == 0
    assert "the ledger is busy" in impatient.stderr
    assert "nothing was changed" in impatient.stderr
    assert "database is locked" not in impatient.stderr
    assert factledger.json("claims", "show", claim)["status"] == "unreviewed"

    # A writer with the default busy timeout waits for the import, then goes through.
    patient = subprocess.run(
        factledger.command("claims", "status", claim, "supported"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    _, import_errors = importer.communicate(timeout=300)
    assert importer.returncode == 0, import_errors
    assert patient.returncode == 0, patient.stderr
    assert factledger.json("claims", "show", claim)["status"] == "supported"
    assert factledger.json("audit", "verify")["claims"] == CLAIMS + 1
