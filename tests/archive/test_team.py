"""A team of archive workers on one PostgreSQL ledger and one bucket: fair shares, each source captured
once, a killed worker's sources taken over after its leases expire, SIGTERM giving leases back, and
what an operator sees of it (the JSON line of each pass, `status`, the metrics)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from factledger.archive.leases import make_due
from factledger.ledger.database import open_ledger
from tests.conftest import Factledger
from tests.s3_server import S3Server
from tests.site_server import Site

pytestmark = pytest.mark.integration

SOURCES = 300
WORKERS = 3


def many_sources(factledger: Factledger, site: Site, tmp_path: Path, count: int, delay: float) -> None:
    """``count`` due sources on the loopback origin, cited by one imported claim."""
    evidence = [
        {"url": site.html(f"/s/{n}", f"Source number {n}.", delay=delay), "stance": "context"}
        for n in range(count)
    ]
    batch = tmp_path / "claims.jsonl"
    batch.write_text(json.dumps({"text": "Many sources.", "evidence": evidence}) + "\n", encoding="utf-8")
    imported = factledger("import", "jsonl", str(batch))
    assert imported.exit_code == 0, imported.stderr
    ledger = open_ledger(factledger.db_url)
    try:
        make_due(ledger)
    finally:
        ledger.close()


def start(factledger: Factledger, name: str, *args: str) -> subprocess.Popen[str]:
    command = factledger.command(
        "archive", *args, "--allow-private", "--concurrency", "4", "--worker-name", name, "--json"
    )
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def team(postgres_url: str, tmp_path: Path, s3_server: S3Server) -> Factledger:
    """The ledger on PostgreSQL, the captures in a bucket."""
    return Factledger(db_url=postgres_url, home=tmp_path / "home", store=s3_server.new_bucket())


def test_three_workers_share_the_queue_and_capture_each_source_once(
    team: Factledger, site: Site, tmp_path: Path
) -> None:
    many_sources(team, site, tmp_path, SOURCES, delay=0.05)
    workers = [start(team, f"worker-{n}", "run") for n in range(WORKERS)]
    lines = {}
    for n, worker in enumerate(workers):
        out, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err
        [line] = out.splitlines()  # one compact JSON line per pass
        lines[f"worker-{n}"] = json.loads(line)

    assert all(site.hits[f"/s/{n}"] == 1 for n in range(SOURCES)), site.hits  # the origin's request log
    snapshots = team.snapshots()
    assert len(snapshots) == SOURCES
    assert len({s.source_id for s in snapshots}) == SOURCES
    shares = {name: line["attempted"] for name, line in lines.items()}
    print(f"captures per worker: {shares}")
    assert sum(shares.values()) == SOURCES
    assert all(share >= SOURCES * 0.2 for share in shares.values()), shares
    for name, line in lines.items():
        assert line["worker"] == name
        assert line["leased"] == line["attempted"]
        assert line["backlog"] >= 0
        assert {"at", "ok", "failed", "failed_by_kind", "seconds"} <= line.keys()

    status = team.json("status")
    assert sorted(w["worker"] for w in status["workers"]) == sorted(lines)
    assert status["sources"]["by_health"] == {"ok": SOURCES}
    assert status["sources"]["due_now"] == 0
    assert status["store"] == team.store


def test_a_killed_workers_sources_are_taken_over_after_its_leases_expire(
    team: Factledger, site: Site, tmp_path: Path
) -> None:
    count = 120
    many_sources(team, site, tmp_path, count, delay=0.1)
    lease = "4s"
    victim = start(team, "victim", "watch", "--every", "1s", "--lease", lease)
    survivors = [start(team, f"survivor-{n}", "watch", "--every", "1s", "--lease", lease) for n in range(2)]
    deadline = time.monotonic() + 120
    while len(team.snapshots()) < count // 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(victim.pid, signal.SIGKILL)  # midway: it holds leases on sources it has not committed
    victim.communicate()
    at_kill = len(team.snapshots())
    while len(team.snapshots()) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    for survivor in survivors:
        survivor.send_signal(signal.SIGTERM)
    for survivor in survivors:
        _, err = survivor.communicate(timeout=60)
        assert survivor.returncode == 0, err

    snapshots = team.snapshots()
    per_source = Counter(s.source_id for s in snapshots)
    assert len(per_source) == count  # every source captured, the victim's too
    assert set(per_source.values()) == {1}  # and none twice
    refetched = [n for n in range(count) if site.hits[f"/s/{n}"] > 1]
    print(
        f"captured when the victim was killed: {at_kill}; fetched again after its leases expired: {len(refetched)}"
    )
    # Only what the victim had fetched but not committed is fetched again (a capture it committed never is).
    assert all(site.hits[f"/s/{n}"] == 2 for n in refetched)
    assert len(refetched) < count - at_kill


def test_sigterm_gives_a_runs_leases_back(factledger: Factledger, site: Site, tmp_path: Path) -> None:
    many_sources(factledger, site, tmp_path, 40, delay=0.5)
    worker = start(factledger, "stopping", "run")
    deadline = time.monotonic() + 60
    while not any(site.hits.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.send_signal(signal.SIGTERM)
    _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    assert "stopped by SIGTERM" in err
    status = factledger.json("status")
    # Nothing is left leased: whatever was not captured is due again at once, not in ten minutes.
    assert status["sources"]["due_now"] == 40 - len(factledger.snapshots())
    assert status["sources"]["due_now"] > 0


def test_metrics_are_served_on_loopback_and_written_to_a_file(
    factledger: Factledger, site: Site, tmp_path: Path
) -> None:
    many_sources(factledger, site, tmp_path, 3, delay=0.0)
    with socket_port() as port:
        pass
    metrics_file = tmp_path / "factledger.prom"
    worker = subprocess.Popen(
        factledger.command(
            "archive",
            "watch",
            "--every",
            "1h",
            "--allow-private",
            "--worker-name",
            "metered",
            "--metrics-port",
            str(port),
            "--metrics-file",
            str(metrics_file),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not metrics_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        served = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=60)
    written = metrics_file.read_text()
    for text in (served, written):
        assert 'factledger_captures_total{outcome="ok",worker="metered"} 3.0' in text
        assert 'factledger_fetch_seconds_count{worker="metered"} 3.0' in text
        assert 'factledger_backlog_sources{worker="metered"} 0.0' in text
        assert "factledger_lease_renewals_total" in text
        assert "factledger_store_errors_total" in text


class socket_port:
    """A free port on 127.0.0.1 (closed again on exit, for a server to bind)."""

    def __enter__(self) -> int:
        import socket

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        return int(self.socket.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.socket.close()


def test_leases_are_renewed_while_a_slow_pass_works_on_them(
    factledger: Factledger, site: Site, tmp_path: Path
) -> None:
    """Leases of one second on pages that take longer than that to get through: without renewal the
    second worker would take over leases the first still works on, and fetch those sources again."""
    count = 24
    many_sources(factledger, site, tmp_path, count, delay=0.4)
    workers = [start(factledger, f"slow-{n}", "run", "--lease", "1s") for n in range(2)]
    lines = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        lines.append(json.loads(out))
    assert all(site.hits[f"/s/{n}"] == 1 for n in range(count)), site.hits
    assert len(factledger.snapshots()) == count
    assert sum(line["lease_renewals"] for line in lines) > 0
