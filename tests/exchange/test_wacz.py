"""`export wacz`: a real ledger, real captures over loopback, and the bundle read back as a WACZ reader would."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from factledger.archive.capture_store import open_store
from tests.conftest import Factledger, on_both_stores
from tests.pywb_replay import pywb_missing, pywb_tool, replaying
from tests.site_server import Site

pytestmark = pytest.mark.integration

WARCIO = [sys.executable, "-c", "import sys; from warcio.cli import main; sys.argv[0] = 'warcio'; main()"]
WACZ_MEMBERS = {
    "archive/data.warc.gz",
    "indexes/index.cdx",
    "pages/pages.jsonl",
    "factledger/claims.jsonl",
    "factledger/snapshots.jsonl",
    "datapackage.json",
    "datapackage-digest.json",
}


def claim(factledger: Factledger, text: str, *urls: str) -> int:
    claim_id = int(factledger.json("claims", "add", text)["id"])
    for url in urls:
        assert factledger("cite", str(claim_id), url, "--stance", "supports").exit_code == 0
    return claim_id


@pytest.fixture
def ledger_with_history(factledger: Factledger, site: Site) -> dict[str, Any]:
    """Two claims over three pages, captured three times: first, unchanged (revisits), one page changed."""
    bridge = site.html("/bridge", "The bridge opens in March.")
    budget = site.html("/budget", "The budget grew by 4 percent.")
    dam = site.html("/dam", "The dam holds 2 million cubic metres.")
    first = claim(factledger, "The bridge opens in March and the budget grew.", bridge, budget)
    second = claim(factledger, "The dam holds 2 million cubic metres.", dam)
    factledger.archive()
    factledger.archive("--recheck")
    # CDXJ timestamps have whole seconds: the changed capture must not share a second with the old one, or
    # a replay tool cannot tell which of them a timestamp means.
    time.sleep(1.05)
    site.html("/budget", "The budget shrank by 1 percent.")
    factledger.archive("--recheck")
    return {
        "site": site,
        "first": first,
        "second": second,
        "urls": {"bridge": bridge, "budget": budget, "dam": dam},
    }


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def export(factledger: Factledger, output: Path, *extra: str) -> None:
    result = factledger("export", "wacz", *extra, "-o", str(output))
    assert result.exit_code == 0, result.stderr
    assert output.is_file()


def cdxj_lines(bundle: zipfile.ZipFile) -> list[tuple[str, str, dict[str, Any]]]:
    lines = bundle.read("indexes/index.cdx").decode("utf-8").splitlines()
    assert lines == sorted(lines), "CDXJ must be sorted"
    parsed = []
    for line in lines:
        key, timestamp, fields = line.split(" ", 2)
        parsed.append((key, timestamp, json.loads(fields)))
    return parsed


def pages(bundle: zipfile.ZipFile) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header, *entries = (json.loads(line) for line in bundle.read("pages/pages.jsonl").splitlines())
    return header, entries


def assert_valid_wacz(path: Path, tmp_path: Path) -> zipfile.ZipFile:
    """The structural checks a WACZ reader relies on, without trusting anything our code says."""
    bundle = zipfile.ZipFile(path)
    assert bundle.testzip() is None
    names = set(bundle.namelist())
    assert names == WACZ_MEMBERS
    # Range requests read WARC records straight out of the zip: the WARC must not be compressed again.
    assert bundle.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED

    raw_package = bundle.read("datapackage.json")
    package = json.loads(raw_package)
    assert package["profile"] == "data-package"
    assert package["wacz_version"] == "1.1.1"
    assert package["software"].startswith("factledger ")
    datetime.fromisoformat(package["created"])
    listed = {resource["path"]: resource for resource in package["resources"]}
    assert set(listed) == names - {"datapackage.json", "datapackage-digest.json"}
    for member_path, resource in listed.items():
        data = bundle.read(member_path)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), member_path
        assert resource["bytes"] == len(data)
        assert resource["name"] == member_path.rsplit("/", 1)[-1]
    digest = json.loads(bundle.read("datapackage-digest.json"))
    assert digest == {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(raw_package).hexdigest()}

    warc = bundle.read("archive/data.warc.gz")
    extracted = tmp_path / f"{path.stem}-data.warc.gz"
    extracted.write_bytes(warc)
    check = subprocess.run([*WARCIO, "check", "-v", str(extracted)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    # Every index line's offset and length cut out exactly one record, of the URL and time it names.
    index = cdxj_lines(bundle)
    assert index
    for _key, timestamp, fields in index:
        assert fields["filename"] == "data.warc.gz"
        start, length = int(fields["offset"]), int(fields["length"])
        records = list(ArchiveIterator(io.BytesIO(warc[start : start + length])))
        assert len(records) == 1
        record = records[0]
        assert record.rec_headers.get_header("WARC-Target-URI") == fields["url"]
        assert iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date")) == timestamp
        assert record.rec_type == ("revisit" if fields["mime"] == "warc/revisit" else "response")

    # Every response and revisit is indexed; each has its request; each revisit has its original.
    with extracted.open("rb") as stream:
        all_records = [
            (r.rec_type, r.rec_headers, r.http_headers)
            for r in ArchiveIterator(stream)
            if r.rec_type != "warcinfo"
        ]
    captured = [(t, h) for t, h, _ in all_records if t in ("response", "revisit")]
    assert len(captured) == len(index)
    request_for = {h.get_header("WARC-Concurrent-To") for t, h, _ in all_records if t == "request"}
    originals = {
        (h.get_header("WARC-Target-URI"), h.get_header("WARC-Payload-Digest"))
        for t, h in captured
        if t == "response"
    }
    for record_type, headers in captured:
        assert headers.get_header("WARC-Record-ID") in request_for
        if record_type == "revisit":
            refers = (
                headers.get_header("WARC-Refers-To-Target-URI"),
                headers.get_header("WARC-Payload-Digest"),
            )
            assert refers in originals

    header, entries = pages(bundle)
    assert header["format"] == "json-pages-1.0"
    for entry in entries:
        assert entry["url"]
        assert entry["id"]
        datetime.fromisoformat(entry["ts"])
    return bundle


@on_both_stores
def test_bundle_holds_every_capture_of_the_cited_sources(
    factledger: Factledger, ledger_with_history: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "evidence.wacz"
    export(factledger, output)
    bundle = assert_valid_wacz(output, tmp_path)

    stored = factledger.snapshots()
    assert len(stored) == 9
    assert sum(s.is_revisit for s in stored) == 5  # 3 on the first recheck, 2 on the second
    index = cdxj_lines(bundle)
    assert len(index) == 9
    assert sum(fields["mime"] == "warc/revisit" for _, _, fields in index) == 5

    # The records are the store's bytes, unchanged: same gzip member, same digests.
    warc = bundle.read("archive/data.warc.gz")
    in_bundle = {warc[int(f["offset"]) : int(f["offset"]) + int(f["length"])] for _, _, f in index}
    warcs = open_store(factledger.archive_paths()).warcs
    for snapshot in stored:
        assert snapshot.warc_filename
        assert snapshot.warc_offset is not None
        assert snapshot.warc_length
        assert (
            warcs.get_range(snapshot.warc_filename, snapshot.warc_offset, snapshot.warc_length) in in_bundle
        )

    urls = ledger_with_history["urls"]
    _, entries = pages(bundle)
    assert sorted(entry["url"] for entry in entries) == sorted(urls.values())
    for entry in entries:
        assert entry["title"] in {"/bridge", "/budget", "/dam"}
        # A page opens at its URL's latest capture.
        latest = max(utc(s.fetched_at) for s in stored if s.final_url == entry["url"])
        assert datetime.fromisoformat(entry["ts"]) == latest

    claims = [json.loads(line) for line in bundle.read("factledger/claims.jsonl").splitlines()]
    assert [c["id"] for c in claims] == [ledger_with_history["first"], ledger_with_history["second"]]
    assert {e["url"] for e in claims[0]["evidence"]} == {urls["bridge"], urls["budget"]}
    ledger_view = [json.loads(line) for line in bundle.read("factledger/snapshots.jsonl").splitlines()]
    assert sorted(s["snapshot_id"] for s in ledger_view) == [s.id for s in stored]
    with io.BytesIO(warc) as stream:
        record_ids = {r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(stream)}
    assert all(s["warc_record_id"] in record_ids for s in ledger_view)


def test_claim_option_bundles_only_that_claims_sources(
    factledger: Factledger, ledger_with_history: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "dam.wacz"
    export(factledger, output, "--claim", str(ledger_with_history["second"]))
    bundle = assert_valid_wacz(output, tmp_path)
    dam = ledger_with_history["urls"]["dam"]
    index = cdxj_lines(bundle)
    assert {fields["url"] for _, _, fields in index} == {dam}
    assert len(index) == 3  # first capture and two revisits
    _, entries = pages(bundle)
    assert [entry["url"] for entry in entries] == [dam]
    claims = [json.loads(line) for line in bundle.read("factledger/claims.jsonl").splitlines()]
    assert [c["id"] for c in claims] == [ledger_with_history["second"]]
    assert (
        "claim " + str(ledger_with_history["second"]) in json.loads(bundle.read("datapackage.json"))["title"]
    )


def test_unknown_claim_is_a_one_line_error_and_writes_nothing(factledger: Factledger, tmp_path: Path) -> None:
    factledger("init")
    output = tmp_path / "out" / "x.wacz"
    output.parent.mkdir()
    result = factledger("export", "wacz", "--claim", "999", "-o", str(output))
    assert result.exit_code == 1
    assert "no claim with id 999" in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert list(output.parent.iterdir()) == []


def test_nothing_archived_is_an_error_and_leaves_no_file(
    factledger: Factledger, site: Site, tmp_path: Path
) -> None:
    claim_id = claim(factledger, "Never archived.", site.html("/later", "Not fetched yet."))
    output = tmp_path / "out" / "x.wacz"
    output.parent.mkdir()
    result = factledger("export", "wacz", "--claim", str(claim_id), "-o", str(output))
    assert result.exit_code == 1
    assert "nothing to bundle" in result.stderr
    assert "archive run" in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert list(output.parent.iterdir()) == []


@on_both_stores
def test_a_missing_warc_fails_without_touching_the_previous_bundle(
    factledger: Factledger, site: Site, tmp_path: Path
) -> None:
    claim_id = claim(
        factledger, "The bridge opens in March.", site.html("/bridge", "The bridge opens in March.")
    )
    factledger.archive()
    output = tmp_path / "out" / "bridge.wacz"
    output.parent.mkdir()
    export(factledger, output, "--claim", str(claim_id))
    before = output.read_bytes()
    warcs = open_store(factledger.archive_paths()).warcs
    names = [stored.key for stored in warcs.list()]
    for name in names:
        warcs.delete(name)
    result = factledger("export", "wacz", "--claim", str(claim_id), "-o", str(output))
    assert result.exit_code == 1
    # One line naming the object and the store it is missing from.
    assert f"WARC file {names[0]} is missing from {warcs.name}" in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert output.read_bytes() == before
    assert [p.name for p in output.parent.iterdir()] == ["bridge.wacz"]  # no scratch or partial files


def test_wacz_needs_an_output_file_named_wacz(factledger: Factledger, tmp_path: Path) -> None:
    factledger("init")
    assert factledger("export", "wacz").exit_code == 2
    assert factledger("export", "wacz", "-o", str(tmp_path / "x.zip")).exit_code == 2


@pytest.mark.skipif(
    pywb_tool("wacz") is None, reason="py-wacz is not installed; pip install wacz to run `wacz validate`"
)
def test_py_wacz_validates_the_bundle(
    factledger: Factledger, ledger_with_history: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "evidence.wacz"
    export(factledger, output)
    wacz = pywb_tool("wacz")
    assert wacz is not None
    result = subprocess.run(
        [wacz, "validate", "-f", str(output)], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout


@pytest.mark.skipif(
    pywb_missing(),
    reason="pywb (wb-manager, wayback) is not installed; pip install pywb to run the replay test",
)
def test_pywb_replays_the_bundle(
    factledger: Factledger, ledger_with_history: dict[str, Any], tmp_path: Path
) -> None:
    """pywb takes the bundle's own CDXJ (it only renames the WARC), so replay proves the index is right."""
    output = tmp_path / "evidence.wacz"
    export(factledger, output)
    site: Site = ledger_with_history["site"]
    index = cdxj_lines(zipfile.ZipFile(output))
    with replaying(tmp_path / "pywb", ["--unpack-wacz", str(output)], probe_url="127.0.0.1") as (
        client,
        base,
    ):
        budget_bodies = []
        for _key, timestamp, fields in index:
            response = client.get(f"{base}/{timestamp}id_/{fields['url']}")
            assert response.status_code == 200, fields
            path = "/" + fields["url"].split("/", 3)[3]
            if path == "/budget":
                budget_bodies.append(response.content)
            else:  # unchanged pages: every capture, revisits included, replays today's body
                assert response.content == site.pages[path].body, fields
        # The budget page changed on the last capture: the bundle holds both versions.
        assert site.pages["/budget"].body in budget_bodies
        assert any(b"grew by 4 percent" in body for body in budget_bodies)
