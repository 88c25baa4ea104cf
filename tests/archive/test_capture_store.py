"""The capture store shared by a team: workers write captures into a bucket (moto's S3 server on
loopback), reviewers on other machines (other homes) read them through the same ledger, and
``store check`` / ``store migrate`` keep a store honest and movable."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factledger.app import store as app_store
from factledger.archive.capture_store import open_store
from factledger.ledger.database import open_ledger
from tests.conftest import Factledger
from tests.s3_server import S3Server
from tests.site_server import Site

pytestmark = pytest.mark.integration

QUOTE = "the bridge reopened in May"


def cited(factledger: Factledger, site: Site, path: str = "/bridge") -> str:
    url = site.html(path, f"Officials said {QUOTE} after repairs.")
    cid = str(factledger.json("claims", "add", "The bridge reopened in May.")["id"])
    factledger("cite", cid, url, "--stance", "supports", "--quote", QUOTE)
    return cid


def test_a_reviewer_elsewhere_reads_the_captures_a_worker_put_in_the_bucket(
    db_url: str, tmp_path: Path, site: Site, s3_server: S3Server
) -> None:
    bucket = s3_server.new_bucket()
    worker = Factledger(db_url=db_url, home=tmp_path / "worker", store=bucket)
    reviewer = replace(worker, home=tmp_path / "reviewer")  # another machine: same ledger and bucket
    cid = cited(worker, site)
    worker.archive()
    assert not (worker.home / "warcs").exists()  # nothing went to the worker's disk
    keys = s3_server.keys(bucket)
    assert any(key.startswith("captures/warcs/") and key.endswith(".warc.gz") for key in keys)
    assert any(key.startswith("captures/text/") and key.endswith(".txt.gz") for key in keys)

    verified = reviewer("verify", "--claim", cid)
    assert verified.exit_code == 0, verified.stderr
    [evidence] = reviewer.json("claims", "show", cid)["evidence"]
    assert evidence["quote_status"] == "found"
    [snapshot] = reviewer.snapshots()
    text = reviewer("sources", "snapshot", str(snapshot.id))
    assert QUOTE in text.stdout
    bundle = tmp_path / "evidence.wacz"
    exported = reviewer("export", "wacz", "-o", str(bundle))
    assert exported.exit_code == 0, exported.stderr
    assert bundle.stat().st_size > 0


def test_a_capture_the_store_lacks_is_one_line_naming_store_and_object(
    db_url: str, tmp_path: Path, site: Site, s3_server: S3Server
) -> None:
    """The bad input: the ledger names captures that the reviewer's store does not hold (their home
    instead of the team's bucket, or an object deleted from the bucket). Today: internal error."""
    bucket = s3_server.new_bucket()
    worker = Factledger(db_url=db_url, home=tmp_path / "worker", store=bucket)
    cid = cited(worker, site)
    worker.archive()
    [snapshot] = worker.snapshots()
    assert snapshot.full_text_ref is not None

    stranger = Factledger(db_url=db_url, home=tmp_path / "stranger")  # its own (empty) home store
    result = stranger("verify", "--claim", cid)
    assert result.exit_code == 1
    ref = snapshot.full_text_ref
    expected = f"capture store {stranger.home / 'text'} has no object {ref[:2]}/{ref[2:4]}/{ref}.txt.gz"
    assert result.stderr == f"factledger: error: {expected}\n"

    s3_server.delete(bucket, f"captures/warcs/{snapshot.warc_filename}")
    raw = worker("sources", "snapshot", str(snapshot.id), "--show", "raw")
    assert raw.exit_code == 1
    assert raw.stderr == (
        f"factledger: error: capture store {bucket}/warcs has no object {snapshot.warc_filename}\n"
    )


def test_store_check_verifies_every_capture_and_removes_orphans(
    db_url: str, tmp_path: Path, site: Site, s3_server: S3Server
) -> None:
    bucket = s3_server.new_bucket()
    worker = Factledger(db_url=db_url, home=tmp_path / "worker", store=bucket)
    cited(worker, site)
    worker.archive()
    clean = worker.json("store", "check")
    assert clean["ok"] is True
    assert clean["captures_checked"] == 1
    assert clean["orphans"] == []

    # What a worker killed between its PUT and its commit leaves: an object nothing points at.
    warcs = open_store(worker.archive_paths()).warcs
    warcs.put("factledger-20240101000000-dead-00000.warc.gz", b"orphaned group")
    young = worker.json("store", "check")
    assert young["orphans"] == []  # too young to tell from a live worker's group about to commit
    ledger = open_ledger(db_url)
    try:
        later = datetime.now(UTC) + timedelta(hours=1)
        report = app_store.check(ledger, worker.archive_paths(), remove_orphans=True, now=later)
    finally:
        ledger.close()
    assert report.orphans == ["warcs/factledger-20240101000000-dead-00000.warc.gz"]
    assert report.removed == 1
    assert not warcs.exists("factledger-20240101000000-dead-00000.warc.gz")

    [snapshot] = worker.snapshots()
    assert snapshot.warc_filename is not None
    assert snapshot.warc_offset is not None
    assert snapshot.warc_length is not None
    damaged_object = bytearray(warcs.get(snapshot.warc_filename))
    damaged_object[snapshot.warc_offset + snapshot.warc_length // 2] ^= 0xFF  # one flipped bit-run
    warcs.put(snapshot.warc_filename, bytes(damaged_object))
    damaged = worker("store", "check")
    assert damaged.exit_code == 1
    *_, last = damaged.stderr.splitlines()
    assert last.startswith(
        f"factledger: error: store {bucket}: snapshot {snapshot.id}: unreadable WARC record"
    )


def test_store_migrate_moves_a_laptop_store_into_a_bucket(
    db_url: str, tmp_path: Path, site: Site, s3_server: S3Server
) -> None:
    laptop = Factledger(db_url=db_url, home=tmp_path / "laptop")
    cid = cited(laptop, site)
    laptop.archive()
    bucket = s3_server.new_bucket("team")

    moved = laptop.json("store", "migrate", "--to", bucket)
    assert moved["objects"] >= 3  # the WARC file, the text and its sidecar
    assert moved["to"] == bucket
    again = laptop.json("store", "migrate", "--to", bucket)
    assert again["objects"] == 0
    assert again["skipped"] == moved["objects"]

    team = Factledger(db_url=db_url, home=tmp_path / "elsewhere", store=bucket)
    assert team.json("store", "check")["captures_checked"] == 1
    assert team("verify", "--claim", cid).exit_code == 0
    [snapshot] = team.snapshots()
    assert QUOTE in team("sources", "snapshot", str(snapshot.id)).stdout
    assert json.loads(team("store", "check", "--json").stdout)["ok"] is True


def test_an_archive_run_makes_one_put_per_new_text_and_per_group_and_nothing_else(
    db_url: str, tmp_path: Path, site: Site, s3_server: S3Server
) -> None:
    """What a capture costs the object store (and so, on a shared machine, the archiver): each new
    text one PUT, each committed group of WARC records one PUT, each quoted text's normalized sidecar
    one existence check and one PUT; no listing, no reads, no check before a content-addressed PUT."""
    bucket = s3_server.new_bucket()
    worker = Factledger(db_url=db_url, home=tmp_path / "worker", store=bucket)
    cid = cited(worker, site)  # quoted: its text is normalized at capture, beside the text
    for n in range(3):  # cited without quotes: the text alone
        url = site.html(f"/other-{n}", f"Page {n} says something else entirely, {n * 'and more '}")
        worker("cite", cid, url, "--stance", "supports")
    before = len(s3_server.requests(bucket))
    worker.archive()
    requests = s3_server.requests(bucket)[before:]

    keys = s3_server.keys(bucket)
    texts = [key for key in keys if key.endswith(".txt.gz")]
    warcs = [key for key in keys if key.endswith(".warc.gz")]
    sidecars = [key for key in keys if key.startswith("captures/text/") and not key.endswith(".txt.gz")]
    assert len(texts) == 4
    assert warcs
    assert len(sidecars) == 1  # the quoted page's normalized text
    assert len(keys) == len(texts) + len(warcs) + len(sidecars)
    expected = [("PUT", key) for key in keys] + [("HEAD", key) for key in sidecars]
    assert sorted(requests) == sorted(expected)
