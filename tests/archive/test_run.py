"""`archive run` end to end: loopback origin → WARC + text → snapshots, health, drift and review flags."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from factledger.archive.capture_store import open_store
from factledger.archive.runner import ArchivePaths, RunOptions, run_archive
from factledger.archive.warc.reader import read_record
from factledger.archive.warc.records import WarcLocation
from factledger.ledger.database import open_ledger
from factledger.ledger.models import Snapshot
from tests.archive_servers import LoopbackOnlyBackend
from tests.conftest import Factledger, on_both_stores
from tests.payloads import payload_in_memory
from tests.site_server import Site

pytestmark = pytest.mark.integration

WARCIO = Path(sys.executable).parent / "warcio"


def run(factledger: Factledger, *, allow_private: bool = True) -> dict[str, object]:
    """One in-process archive pass, with the loopback-only backend under the guard."""
    ledger = open_ledger(factledger.db_url)
    try:
        summary = asyncio.run(
            run_archive(
                ledger,
                "archiver",
                factledger.archive_paths(),
                RunOptions(allow_private=allow_private),
                network_backend=LoopbackOnlyBackend(),
            )
        )
    finally:
        ledger.close()
    return summary.as_dict()


def warcio_check(factledger: Factledger) -> None:
    """``warcio check`` passes on every WARC file (or object, copied out of the bucket) of the store."""
    store = open_store(factledger.archive_paths())
    if factledger.store is None:
        files = sorted((factledger.home / "warcs").glob("*.warc.gz"))
    else:
        copies = factledger.home / "warc-copies"
        copies.mkdir(parents=True, exist_ok=True)
        files = []
        for stored in store.warcs.list():
            files.append(copies / stored.key)
            files[-1].write_bytes(store.warcs.get(stored.key))
    assert files
    result = subprocess.run([str(WARCIO), "check", *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def response_records(warcs: Path) -> set[tuple[str, int]]:
    """(file, offset) of every response and revisit record in the WARC files of ``warcs``."""
    found: set[tuple[str, int]] = set()
    for path in sorted(warcs.glob("*.warc.gz")):
        with path.open("rb") as stream:
            iterator = ArchiveIterator(stream)
            for record in iterator:
                if record.rec_type in ("response", "revisit"):
                    found.add((path.name, iterator.get_record_offset()))
    return found


@on_both_stores
def test_capture_writes_warc_text_and_snapshot(factledger: Factledger, site: Site) -> None:
    url = site.html("/release", "Power announced <b>$11.5</b> million in humanitarian assistance.")
    cid = str(factledger.json("claims", "add", "Power announced $11.5 million.")["id"])
    factledger("cite", cid, url, "--stance", "supports", "--quote", "$11.5 million")

    summary = run(factledger)
    assert summary["attempted"] == 1
    assert summary["ok"] == 1
    [snapshot] = factledger.snapshots()
    assert snapshot.http_status == 200
    assert snapshot.drift == "first"
    assert snapshot.warc_filename is not None
    assert snapshot.warc_offset is not None
    assert snapshot.warc_length is not None
    store = open_store(factledger.archive_paths())
    stored = store.read_record(
        WarcLocation(snapshot.warc_filename, snapshot.warc_offset, snapshot.warc_length)
    )
    assert stored.payload == site.pages["/release"].body
    assert snapshot.full_text_ref is not None
    text = store.texts.get(snapshot.full_text_ref)
    assert "Power announced $11.5 million in humanitarian assistance." in text
    warcio_check(factledger)
    source = factledger.json("sources", "list")[0]
    assert source["health"] == "ok"
    assert source["snapshots"] == 1
    assert source["last_checked_at"] is not None
    # Healthy: not due again for about 30 days, so a second run fetches nothing.
    assert run(factledger)["attempted"] == 0
    assert site.hits["/release"] == 1


@on_both_stores
def test_recheck_unchanged_is_a_revisit_and_changed_text_flags_claims(
    factledger: Factledger, site: Site
) -> None:
    url = site.html("/statement", "The parties are really within reach of an agreement.")
    cid = str(factledger.json("claims", "add", "Blinken said they were within reach of an agreement.")["id"])
    factledger("cite", cid, url, "--stance", "supports")
    run(factledger)
    assert factledger("archive", "run", "--recheck", "--allow-private", "--json").exit_code == 0
    first, second = factledger.snapshots()
    assert second.is_revisit
    assert second.drift == "same_digest"
    assert second.payload_sha256 == first.payload_sha256
    assert factledger.json("claims", "show", cid)["needs_review"] is False

    site.html("/statement", "The parties remain far apart.")
    factledger("archive", "run", "--recheck", "--allow-private")
    third = factledger.snapshots()[-1]
    assert third.drift == "changed_text"
    assert not third.is_revisit
    claim = factledger.json("claims", "show", cid)
    assert claim["needs_review"] is True
    assert "source text changed" in claim["needs_review_reason"]
    assert "claim.flagged" in [e["kind"] for e in factledger.json("claims", "history", cid)]
    warcio_check(factledger)


def test_gone_source_flags_claims_and_backs_off(factledger: Factledger, site: Site) -> None:
    url = site.html("/old", "Removed.", status=410)
    cid = str(factledger.json("claims", "add", "A claim resting on a page that vanished.")["id"])
    factledger("cite", cid, url, "--stance", "supports")
    summary = run(factledger)
    assert summary["failed_by_kind"] == {"gone": 1}
    source = factledger.json("sources", "list")[0]
    assert source["health"] == "gone"
    assert source["health_reason"] == "HTTP 410"
    assert source["consecutive_failures"] == 1
    claim = factledger.json("claims", "show", cid)
    assert claim["needs_review"] is True
    assert "source gone (HTTP 410)" in claim["needs_review_reason"]
    assert run(factledger)["attempted"] == 0  # backed off, not retried in the same cycle


def test_a_private_address_is_refused_by_us_and_flags_nothing(factledger: Factledger, site: Site) -> None:
    """Loopback source, archive run without --allow-private: was `blocked` and a flagged claim."""
    url = site.html("/intranet", "secret")
    cid = str(factledger.json("claims", "add", "Internal claim.")["id"])
    factledger("cite", cid, url, "--stance", "context")
    result = factledger("archive", "run", "--json")
    assert result.exit_code == 0  # a refusal is data, not an error
    summary = json.loads(result.stdout)
    assert (summary["refused"], summary["failed"], summary["failed_by_kind"]) == (1, 0, {})
    assert site.hits["/intranet"] == 0  # refused before any packet was sent
    source = factledger.json("sources", "list")[0]
    assert source["health"] == "refused"
    assert "loopback" in source["health_reason"]
    claim = factledger.json("claims", "show", cid)
    assert claim["needs_review"] is False
    assert "claim.flagged" not in [e["kind"] for e in factledger.json("claims", "history", cid)]


def test_a_refusal_says_why_and_how_to_allow_it(factledger: Factledger, site: Site) -> None:
    url = site.html("/intranet", "secret")
    cid = str(factledger.json("claims", "add", "Internal claim.")["id"])
    factledger("cite", cid, url, "--stance", "context")
    result = factledger("archive", "run")
    assert "1 refused: private address" in result.stderr
    assert "--allow-private" in result.stderr
    assert "allow_private_networks" in result.stderr
    assert "blocked" not in result.stderr


def test_nothing_due_says_how_many_wait_until_when(factledger: Factledger, site: Site) -> None:
    """The second run after a failure printed `archived 0 sources … 0 ok, 0 failed` and nothing else."""
    url = site.html("/flaky", "down", status=503)
    cid = str(factledger.json("claims", "add", "A claim.")["id"])
    factledger("cite", cid, url, "--stance", "context")
    factledger.archive()
    again = factledger("archive", "run", "--allow-private")
    assert again.exit_code == 0
    assert "nothing is due: 1 sources wait" in again.stderr
    assert "1 of them retrying after a failure, the first at 20" in again.stderr
    assert "--recheck" in again.stderr
    assert "archived 0 sources" not in again.stderr


def test_a_gone_source_that_answers_again_clears_its_flag(factledger: Factledger, site: Site) -> None:
    url = site.html("/moved-back", "Removed.", status=410)
    cid = str(factledger.json("claims", "add", "A claim on a page that came back.")["id"])
    factledger("cite", cid, url, "--stance", "supports")
    factledger.archive()
    assert factledger.json("claims", "show", cid)["needs_review"] is True
    site.html("/moved-back", "Back again.")
    result = factledger("archive", "run", "--allow-private", "--recheck", "--json")
    assert json.loads(result.stdout)["unflagged_claims"] == [int(cid)]
    claim = factledger.json("claims", "show", cid)
    assert (claim["needs_review"], claim["needs_review_reason"]) == (False, None)
    last = factledger.json("claims", "history", cid)[-1]
    assert last["kind"] == "claim.unflagged"
    assert "answers again" in last["rationale"]


def test_recovery_leaves_a_flag_raised_by_something_else(factledger: Factledger, site: Site) -> None:
    url = site.html("/back", "Removed.", status=410)
    cid = str(factledger.json("claims", "add", "A claim.")["id"])
    factledger("cite", cid, url, "--stance", "supports")
    factledger.archive()
    other = site.html("/other", "Removed.", status=404)
    factledger("cite", cid, other, "--stance", "context")
    factledger.archive()  # the second source's flag replaces the first's
    reason = factledger.json("claims", "show", cid)["needs_review_reason"]
    assert other in reason
    site.html("/back", "Back again.")
    factledger.archive("--recheck")
    assert factledger.json("claims", "show", cid)["needs_review_reason"] == reason


WORKER_COUNT = 4
SOURCE_COUNT = 40


def test_four_workers_fetch_each_due_source_exactly_once(factledger: Factledger, site: Site) -> None:
    cid = str(factledger.json("claims", "add", "Many sources.")["id"])
    for n in range(SOURCE_COUNT):
        url = site.html(f"/page/{n}", f"Page {n} text.", delay=0.02)
        assert factledger("cite", cid, url, "--stance", "context").exit_code == 0
    command = factledger.command("archive", "run", "--allow-private", "--concurrency", "4", "--json")
    workers = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(WORKER_COUNT)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    assert all(site.hits[f"/page/{n}"] == 1 for n in range(SOURCE_COUNT)), site.hits
    assert len(factledger.snapshots()) == SOURCE_COUNT
    assert {s["health"] for s in factledger.json("sources", "list", "--limit", "100")} == {"ok"}
    warcio_check(factledger)


def test_kill_9_mid_run_then_rerun_leaves_a_consistent_archive(factledger: Factledger, site: Site) -> None:
    """Kill -9 an archive run part-way, run again, then check WARCs, snapshots and coverage."""
    import os
    import random
    import signal
    import time

    cid = str(factledger.json("claims", "add", "Crash test.")["id"])
    count = 60
    for n in range(count):
        body = ("Paragraph of evidence text. " * 400) + str(n)  # ~11 KB pages: records take real time
        url = site.html(f"/c/{n}", body, delay=0.08)  # 60 x 80 ms / 2 workers: a run of ~2.4 s
        factledger("cite", cid, url, "--stance", "context")
    command = factledger.command("archive", "run", "--allow-private", "--concurrency", "2")
    victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.uniform(1.0, 2.8))  # past interpreter start-up, somewhere inside the run
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    captured_before = len(factledger.snapshots())
    print(f"captured before the kill: {captured_before} of {count}")

    rerun = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr

    all_snapshots = factledger.snapshots()
    assert len({s.source_id for s in all_snapshots}) == count  # every due source captured
    assert len(all_snapshots) == count  # and none twice: the killed worker's leases were reclaimed
    assert captured_before <= count
    for snapshot in all_snapshots:  # no snapshot points at a missing or partial record
        assert snapshot.warc_filename is not None
        stored = read_record(
            factledger.home / "warcs",
            WarcLocation(snapshot.warc_filename, snapshot.warc_offset or 0, snapshot.warc_length or 0),
        )
        assert stored.payload == site.pages[stored.target_uri.split(str(site.port))[1]].body
    warcio_check(factledger)
    # Nothing the killed worker left is visible any more (issue 14, section 6): every response record in
    # the store is one a snapshot points at (its uncommitted records were cut off, so a replay tool
    # cannot show a second response for a URI the ledger captured once), and its payload files in the
    # scratch directory were swept.
    # (A file the killed worker wrote before its first commit has nothing the ledger points at: it is
    # left whole, for `store check` to list as an orphan, since it could as well be another ledger's.)
    referenced = {s.warc_filename for s in all_snapshots}
    in_referenced_files = {r for r in response_records(factledger.home / "warcs") if r[0] in referenced}
    assert in_referenced_files == {(s.warc_filename, s.warc_offset) for s in all_snapshots}
    assert list((factledger.home / "tmp").glob("fetch-*.payload")) == []


def test_an_expired_lease_is_taken_over(factledger: Factledger, site: Site) -> None:
    from datetime import timedelta

    from factledger.archive.leases import lease_due_sources
    from factledger.ledger.clock import utcnow

    cid = str(factledger.json("claims", "add", "Lease test.")["id"])
    factledger("cite", cid, site.html("/leased", "text"), "--stance", "context")
    ledger = open_ledger(factledger.db_url)
    try:
        taken = lease_due_sources(ledger, "elsewhere-1", 10, lease_for=timedelta(seconds=60))
        assert len(taken) == 1
        assert lease_due_sources(ledger, "other-2", 10) == []  # held: nobody else gets it
        later = utcnow() + timedelta(seconds=61)
        assert [s.id for s in lease_due_sources(ledger, "other-2", 10, now=later)] == [taken[0].id]
    finally:
        ledger.close()


@on_both_stores
def test_captures_read_back_through_the_cli(factledger: Factledger, site: Site) -> None:
    url = site.html("/readback", "Mirzoyan and Bayramov met at the <a href='#'>Shultz</a> Center.")
    cid = str(factledger.json("claims", "add", "They met at the Shultz Center.")["id"])
    factledger("cite", cid, url, "--stance", "supports")
    run(factledger)
    shown = factledger.json("sources", "show", "1")
    [capture] = shown["captures"]
    assert capture["http_status"] == 200
    assert capture["drift"] == "first"
    raw = factledger("sources", "snapshot", str(capture["id"]), "--show", "raw")
    assert raw.stdout_bytes == site.pages["/readback"].body
    text = factledger("sources", "snapshot", str(capture["id"]))
    assert "Mirzoyan and Bayramov met at the Shultz Center." in text.stdout
    headers = factledger("sources", "snapshot", str(capture["id"]), "--show", "headers")
    assert headers.stdout.startswith("200\n")
    assert "Content-Type: text/html; charset=utf-8" in headers.stdout
    missing = factledger("sources", "snapshot", "999")
    assert missing.exit_code == 1
    assert "no snapshot with id 999" in missing.stderr


def test_watch_runs_passes_until_sigterm(factledger: Factledger, site: Site) -> None:
    import json
    import signal
    import time

    cid = str(factledger.json("claims", "add", "Watched claim.")["id"])
    factledger("cite", cid, site.html("/watched", "text"), "--stance", "context")
    watcher = subprocess.Popen(
        factledger.command("archive", "watch", "--every", "1s", "--recheck", "--allow-private", "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert watcher.stdout is not None
    passes = [json.loads(watcher.stdout.readline()) for _ in range(2)]
    watcher.send_signal(signal.SIGTERM)
    started = time.monotonic()
    watcher.wait(timeout=30)
    assert watcher.returncode == 0
    assert time.monotonic() - started < 10
    assert [p["attempted"] for p in passes] == [1, 1]  # --recheck: every pass captures again
    assert site.hits["/watched"] == 2


def test_a_failing_stage_stops_the_run_with_its_error_and_frees_its_leases(
    factledger: Factledger, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit hook that raises on its first group: the run stops with that error (not a hang, not a
    wrapped group of errors), every source it leased but did not commit is free again, and the next run
    captures exactly those."""
    from factledger.archive import runner
    from factledger.archive.runner import CaptureHooks
    from factledger.ledger.models import Source

    # Groups of at most 8, so the first group cannot hold all 24 (a group waits for others to join it).
    monkeypatch.setattr(runner, "COMMIT_GROUP", 8)

    cid = str(factledger.json("claims", "add", "Many sources.")["id"])
    for n in range(24):
        factledger("cite", cid, site.html(f"/many/{n}", f"page {n}"), "--stance", "context")

    def broken(recorded: object, derived: object) -> None:
        raise RuntimeError("the commit hook broke")

    ledger = open_ledger(factledger.db_url)
    try:
        paths = ArchivePaths.under(factledger.home)
        options = RunOptions(allow_private=True, worker="failing-run")
        failing = run_archive(
            ledger,
            "archiver",
            paths,
            options,
            network_backend=LoopbackOnlyBackend(),
            hooks=CaptureHooks(after_commit=broken),
        )
        with pytest.raises(RuntimeError, match="the commit hook broke"):
            asyncio.run(asyncio.wait_for(failing, timeout=60))
        with ledger.read() as session:
            assert (
                session.scalars(select(Source.lease_owner).where(Source.lease_owner.is_not(None))).all() == []
            )
            captured = set(session.scalars(select(Snapshot.source_id)))
    finally:
        ledger.close()
    assert 0 < len(captured) < 24  # the first group was committed before its hook failed

    summary = run(factledger)
    assert summary["attempted"] == 24 - len(captured)
    assert len({snapshot.source_id for snapshot in factledger.snapshots()}) == 24


def test_a_run_cleans_up_what_a_killed_worker_left(factledger: Factledger, site: Site) -> None:
    """Issue 14, section 6, through `archive run`: the bad input is a killed worker's leftovers, a WARC
    file holding a record no snapshot points at, and its fetched payload in the scratch directory."""
    cid = str(factledger.json("claims", "add", "Leftovers.")["id"])
    factledger("cite", cid, site.html("/kept", "Kept page."), "--stance", "context")
    factledger.archive()
    [snapshot] = factledger.snapshots()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)
    scratch = factledger.home / "tmp"
    scratch.mkdir(exist_ok=True)
    (scratch / f"fetch-{dead_pid}-abc123.payload").write_bytes(b"half a page")
    live = scratch / f"fetch-{os.getpid()}-def456.payload"  # a live worker's: must stay
    live.write_bytes(b"in flight")
    assert snapshot.warc_filename is not None
    warc = factledger.home / "warcs" / snapshot.warc_filename
    committed = warc.stat().st_size
    from factledger.archive.warc.build import build_pair
    from factledger.archive.warc.records import HttpExchange
    from factledger.ledger.clock import utcnow

    exchange = HttpExchange(
        target_uri=site.url("/kept"),
        request_method="GET",
        request_http_version="HTTP/1.1",
        request_headers=[("Host", "127.0.0.1")],
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        response_headers=[("Content-Type", "text/plain")],
        payload=payload_in_memory(b"never committed"),
        fetched_at=utcnow(),
    )
    # The run closed its file after the last commit, so it sealed it (read-only): a worker killed
    # between an fsync and its commit never gets that far, and leaves its file writable.
    assert not warc.stat().st_mode & stat.S_IWUSR
    warc.chmod(0o644)
    with warc.open("ab") as handle:  # a second response for the same URI, as a kill after fsync leaves
        handle.write(build_pair(exchange).data)

    result = factledger("archive", "run", "--allow-private")

    assert result.exit_code == 0, result.stderr
    assert f"{snapshot.warc_filename}: cut" in result.stderr
    assert warc.stat().st_size == committed
    assert response_records(factledger.home / "warcs") == {(snapshot.warc_filename, snapshot.warc_offset)}
    assert not (scratch / f"fetch-{dead_pid}-abc123.payload").exists()
    assert live.exists()
