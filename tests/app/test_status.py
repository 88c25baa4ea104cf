"""`factledger status`: claims, sources, failures in 24 h, workers' last passes, and where things are,
with the database password masked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factledger.app.status import masked_database_url
from tests.conftest import Factledger
from tests.site_server import Site

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def test_status_counts_claims_sources_failures_and_workers(factledger: Factledger, site: Site) -> None:
    first = str(factledger.json("claims", "add", "The dam holds 40 million cubic metres.")["id"])
    factledger.json("claims", "add", "The bridge opened in 1998.")
    factledger(
        "cite", first, site.html("/dam", "The dam holds 40 million cubic metres."), "--stance", "supports"
    )
    factledger("cite", first, site.html("/gone", "Removed.", status=404), "--stance", "context")
    changed = factledger("claims", "status", first, "supported", "--note", "checked the report")
    assert changed.exit_code == 0, changed.stderr
    run = factledger("archive", "run", "--allow-private", "--json", "--worker-name", "desk-1")
    assert run.exit_code == 0, run.stderr
    [line] = run.stdout.splitlines()  # one line, valid JSON: what the cron example appends to a .jsonl
    passed = json.loads(line)
    assert passed["worker"] == "desk-1"
    assert passed["leased"] == 2
    assert passed["failed_by_kind"] == {"gone": 1}

    status = factledger.json("status")
    assert status["claims"]["total"] == 2
    assert status["claims"]["by_status"] == {"supported": 1, "unreviewed": 1}
    assert status["claims"]["needing_review"] == 1  # its source went gone
    assert status["sources"]["by_health"] == {"gone": 1, "ok": 1}
    assert status["sources"]["due_now"] == 0
    assert status["failures_24h"] == {"http_404": 1}
    [worker] = status["workers"]
    assert worker["worker"] == "desk-1"
    assert (worker["leased"], worker["ok"], worker["failed"]) == (2, 1, 1)
    assert status["store"] == str(factledger.home)

    shown = factledger("status")
    assert shown.exit_code == 0
    assert "worker desk-1: last pass" in shown.stdout
    assert "1 need review" in shown.stdout


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://factledger:s3cret@db.internal/factledger",
            "postgresql+psycopg://factledger:***@db.internal/factledger",
        ),
        ("sqlite:////var/lib/factledger/ledger.sqlite3", "sqlite:////var/lib/factledger/ledger.sqlite3"),
    ],
)
def test_status_masks_the_database_password(url: str, shown: str) -> None:
    assert masked_database_url(url) == shown
    assert "s3cret" not in masked_database_url(url)


def test_the_systemd_units_keep_secrets_out_and_are_hardened() -> None:
    for name in ("factledger-archive.service", "factledger-recheck.service"):
        unit = (REPO / "deploy" / name).read_text(encoding="utf-8")
        assert "EnvironmentFile=/etc/factledger/factledger.env" in unit
        assert "StateDirectory=" in unit
        for setting in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"):
            assert setting in unit, (name, setting)
        assert "DATABASE_URL" not in unit
        assert "AWS_" not in unit
