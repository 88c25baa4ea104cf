"""Several processes changing one claim at once never lose an update, and never fork the audit chain."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Factledger

pytestmark = pytest.mark.integration

WORKER = r"""
import sys, time
from factledger.ledger.claims import assign_claim
from factledger.ledger.database import open_ledger

url, claim_id, name, start_at, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
ledger = open_ledger(url)
while time.time() < start_at:  # every worker starts writing at the same moment
    time.sleep(0.001)
for n in range(rounds):
    with ledger.write() as session:
        assign_claim(session, name, claim_id, f"{name}-{n}")
ledger.close()
"""

WORKERS = 6
ROUNDS = 8


def test_concurrent_writers_lose_no_update(factledger: Factledger, tmp_path: Path) -> None:
    claim_id = factledger.json("claims", "add", "Ararat Mirzoyan met Jeyhun Bayramov.")["id"]
    start_at = time.time() + 3.0  # time for every interpreter to import and connect
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                factledger.db_url,
                str(claim_id),
                f"w{i}",
                str(start_at),
                str(ROUNDS),
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(WORKERS)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err

    claim = factledger.json("claims", "show", str(claim_id))
    history = [
        e for e in factledger.json("claims", "history", str(claim_id)) if e["kind"] == "claim.assigned"
    ]
    assert len(history) == WORKERS * ROUNDS
    assert claim["version"] == 1 + WORKERS * ROUNDS
    # Each change started from the version the previous one produced: a single, linear history.
    versions = [(e["before"]["version"], e["after"]["version"]) for e in history]
    assert versions == [(v, v + 1) for v in range(1, 1 + WORKERS * ROUNDS)]
    assert claim["assignee"] == history[-1]["after"]["assignee"]
    verified = factledger("audit", "verify", "--json")
    assert verified.exit_code == 0, verified.stderr
    assert json.loads(verified.stdout)["events"] == 1 + WORKERS * ROUNDS
