"""Issue 14 §2: a hostile page costs the archiver a bounded time, and says why it has no text.

Each page is served over 127.0.0.1 by the tests' local site; each test says what the hostile input was.
Before the bounds, the deep page kept `archive run` busy for minutes, and every one of these pages ended
as health ``ok`` with no text, no reason, and its quotes left ``unchecked``.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from typing import Any

import pytest

from factledger.archive.runner import ArchivePaths, RunOptions, run_archive
from factledger.ledger.database import open_ledger
from factledger.text.limits import MAX_DEPTH, ExtractLimits
from factledger.verify.capture import capture_hooks
from tests.archive_servers import LoopbackOnlyBackend
from tests.conftest import Factledger
from tests.site_server import Page, Site

pytestmark = pytest.mark.integration

GiB = 1024**3


def _gzip_bomb(decoded_size: int) -> bytes:
    """A gzip stream of ``decoded_size`` bytes of HTML, built chunk by chunk (about 1 MB per GiB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = b"<!doctype html><html><body><p>"
    parts = [compressor.compress(head)]
    chunk = b" " * (16 * 1024 * 1024)
    remaining = decoded_size - len(head)
    while remaining > 0:
        parts.append(compressor.compress(chunk[: min(len(chunk), remaining)]))
        remaining -= len(chunk)
    parts.append(compressor.flush())
    return b"".join(parts)


def _pdf_bomb(decoded_size: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``decoded_size`` bytes (pypdf stops at 75 MB)."""
    compressor = zlib.compressobj(9)
    chunk = b"0 0 m " * (1024 * 1024)
    parts = []
    produced = 0
    while produced < decoded_size:
        parts.append(compressor.compress(chunk))
        produced += len(chunk)
    parts.append(compressor.flush())
    stream = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _cite(factledger: Factledger, url: str, quote: str) -> str:
    cid = str(factledger.json("claims", "add", f"A claim citing {url}.")["id"])
    assert factledger("cite", cid, url, "--stance", "supports", "--quote", quote).exit_code == 0
    return cid


def _source(factledger: Factledger, url: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = factledger.json("sources", "list")
    [row] = [row for row in rows if row["url"] == url]
    return row


def _assert_recorded(factledger: Factledger, url: str, cid: str, reason: str) -> None:
    """The capture, the source (`sources list`) and the quote (`claims show`) all say why."""
    [snapshot] = [s for s in factledger.snapshots() if s.final_url == url]
    assert snapshot.http_status == 200
    assert snapshot.full_text_ref is None
    assert snapshot.error_kind == "extract_limit"
    assert reason in (snapshot.error_message or "")
    source = _source(factledger, url)
    assert source["health"] == "ok"  # the page is there; its text is what could not be had
    assert f"extract_limit: {reason}" in source["health_reason"]
    [evidence] = factledger.json("claims", "show", cid)["evidence"]
    assert evidence["quote_status"] == "no_text"
    assert any(f"extract_limit: {reason}" in line for line in evidence["quote_detail"])
    shown = factledger("claims", "show", cid)
    assert "quote not checkable" in shown.stdout
    assert f"extract_limit: {reason}" in shown.stdout


def test_a_page_nested_200k_deep_is_refused_before_parsing(factledger: Factledger, site: Site) -> None:
    # Hostile input: 200,000 nested <div>s (2.2 MB, 29 KB gzipped), which took lexbor minutes to parse.
    depth = 200_000
    body = b"<!doctype html><html><body>" + b"<div>" * depth + b"deep" + b"</div>" * depth
    site.pages["/deep"] = Page(
        body=zlib.compress(body, 9, wbits=16 + zlib.MAX_WBITS), headers=(("Content-Encoding", "gzip"),)
    )
    ok_url = site.html("/fine", "An ordinary page with the quote in it.")
    cid = _cite(factledger, site.url("/deep"), "deep")
    fine = _cite(factledger, ok_url, "the quote in it")
    started = time.monotonic()
    run = factledger("archive", "run", "--allow-private")
    assert run.exit_code == 0, run.stderr
    assert "archived without text: 1 (extract_limit: 1;" in run.stderr
    assert time.monotonic() - started < 60  # minutes before the bound; the run goes on to the next page
    _assert_recorded(factledger, site.url("/deep"), cid, f"nesting depth > {MAX_DEPTH}")
    assert factledger.json("claims", "show", fine)["evidence"][0]["quote_status"] == "found"


def test_a_one_gib_gzip_bomb_is_an_extract_limit(factledger: Factledger, site: Site) -> None:
    # Hostile input: 1 GiB of HTML gzipped to about 1 MB, sent as Content-Encoding: gzip.
    bomb = _gzip_bomb(GiB)
    assert len(bomb) < 2 * 1024 * 1024
    site.pages["/bomb"] = Page(body=bomb, headers=(("Content-Encoding", "gzip"),))
    cid = _cite(factledger, site.url("/bomb"), "anything")
    factledger.archive()
    _assert_recorded(factledger, site.url("/bomb"), cid, "decoded body larger than")


def test_a_pdf_bomb_is_an_extract_limit(factledger: Factledger, site: Site) -> None:
    # Hostile input: a one-page PDF whose content stream inflates to 100 MB (about 100 KB on the wire).
    site.pages["/bomb.pdf"] = Page(body=_pdf_bomb(100 * 1024 * 1024), content_type="application/pdf")
    cid = _cite(factledger, site.url("/bomb.pdf"), "anything")
    factledger.archive()
    _assert_recorded(factledger, site.url("/bomb.pdf"), cid, "PDF stream over pypdf's bound")


def test_an_unchanged_bomb_keeps_its_reason_on_the_next_check(factledger: Factledger, site: Site) -> None:
    # Hostile input: the gzip bomb again, captured twice; the second capture is a revisit (same bytes),
    # which reuses the first capture's outcome instead of extracting again.
    site.pages["/bomb"] = Page(body=_gzip_bomb(64 * 1024 * 1024), headers=(("Content-Encoding", "gzip"),))
    cid = _cite(factledger, site.url("/bomb"), "anything")
    factledger.archive()
    factledger.archive("--recheck")
    first, second = factledger.snapshots()
    assert second.is_revisit
    assert (second.error_kind, second.error_message) == (first.error_kind, first.error_message)
    assert second.error_kind == "extract_limit"
    result = factledger("verify", "--json")
    assert result.exit_code == 0, result.stderr
    [evidence] = factledger.json("claims", "show", cid)["evidence"]
    assert evidence["quote_status"] == "no_text"
    assert evidence["quote_snapshot_id"] == second.id


def test_a_worker_over_its_cpu_time_is_stopped_and_the_run_goes_on(
    factledger: Factledger, site: Site
) -> None:
    # Hostile input: the 200k-deep page with the markup pre-scan switched off, so only the CPU bound
    # stands between it and minutes of parsing inside one C call. The worker process is stopped by the
    # kernel (RLIMIT_CPU) after 1 s of CPU; the page is archived without text, and the other pages of
    # the run, prepared by the pool's replacement worker, have theirs.
    depth = 200_000
    body = b"<!doctype html><html><body>" + b"<div>" * depth + b"deep" + b"</div>" * depth
    site.pages["/deep"] = Page(body=body)
    cid = _cite(factledger, site.url("/deep"), "deep")
    fine = [_cite(factledger, site.html(f"/fine/{n}", f"Ordinary page {n}."), f"page {n}") for n in range(3)]
    options = RunOptions(
        allow_private=True,
        processes=1,
        extract_limits=ExtractLimits(scan_from_tags=10**9, cpu_seconds=1.0),
    )
    ledger = open_ledger(factledger.db_url)
    try:
        paths = ArchivePaths.under(factledger.home)
        hooks = capture_hooks(ledger, "archiver", paths)
        summary = asyncio.run(
            run_archive(
                ledger, "archiver", paths, options, network_backend=LoopbackOnlyBackend(), hooks=hooks
            )
        )
    finally:
        ledger.close()
    assert summary.attempted == 4
    assert summary.as_dict()["no_text"] == {"extract_limit": 1}
    _assert_recorded(factledger, site.url("/deep"), cid, "more than 1 s of CPU")
    for claim in fine:
        assert factledger.json("claims", "show", claim)["evidence"][0]["quote_status"] == "found"
