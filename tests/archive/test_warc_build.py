"""build_pair: a capture's records as two standalone gzip members, the response (or revisit) first."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator

from factledger.archive.warc import build
from factledger.archive.warc.build import build_pair
from factledger.archive.warc.records import HttpExchange, RevisitTarget
from tests.payloads import payload_in_file, payload_in_memory

pytestmark = pytest.mark.unit

BODY = gzip.compress(b"<p>The bridge opens in March.</p>" * 200, mtime=0)


def exchange(tmp_path: Path) -> HttpExchange:
    return HttpExchange(
        target_uri="https://example.org/bridge?id=1",
        request_method="GET",
        request_http_version="HTTP/1.1",
        request_headers=[("Host", "example.org"), ("Accept-Encoding", "gzip")],
        status=200,
        reason="",  # HTTP/2: no reason phrase on the wire
        http_version="HTTP/2",
        response_headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        payload=payload_in_file(tmp_path / "payload", BODY),
        fetched_at=datetime(2024, 3, 1, 12, 0, tzinfo=UTC),
        peer_ip="127.0.0.1",
    )


REVISIT_TARGET = RevisitTarget("https://example.org/first", datetime(2024, 2, 1, tzinfo=UTC))


def numbered_record_ids(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Make build_pair's record ids predictable; the function returned starts them from 0 again, so two
    builds can be compared byte for byte."""
    ids = iter(range(0))

    def restart() -> None:
        nonlocal ids
        ids = iter(range(1000))

    monkeypatch.setattr(
        build, "new_record_id", lambda: f"<urn:uuid:00000000-0000-0000-0000-{next(ids):012d}>"
    )
    return restart


def members(data: bytes) -> list[bytes]:
    """Split ``data`` into its gzip members (each must end with a valid trailer)."""
    found = []
    while data:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        decompressor.decompress(data)
        assert decompressor.eof
        found.append(data[: len(data) - len(decompressor.unused_data)])
        data = decompressor.unused_data
    return found


def records(member: bytes) -> list[tuple[str, dict[str, str], bytes]]:
    return [
        (record.rec_type, dict(record.rec_headers.headers), record.content_stream().read())
        for record in ArchiveIterator(io.BytesIO(member))
    ]


def test_a_response_pair_is_two_members_split_at_response_length(tmp_path: Path) -> None:
    built = build_pair(exchange(tmp_path))
    first, second = members(built.data)
    assert len(first) == built.response_length
    [(response_type, response, payload)] = records(first)
    [(request_type, request, _)] = records(second)
    assert (response_type, request_type) == ("response", "request")
    assert payload == gzip.decompress(BODY)  # warcio decodes; the stored bytes stay gzip
    assert request["WARC-Concurrent-To"] == response["WARC-Record-ID"]
    assert request["WARC-Record-ID"] != response["WARC-Record-ID"]
    assert b"HTTP/2 200 OK\r\n" in gzip.decompress(first)  # a reason phrase for the replay tools


def test_a_revisit_pair_has_no_payload_and_names_its_original(tmp_path: Path) -> None:
    capture = exchange(tmp_path)
    response = records(members(build_pair(capture).data)[0])[0][1]
    built = build_pair(capture, RevisitTarget("https://example.org/first", datetime(2024, 2, 1, tzinfo=UTC)))
    first, _ = members(built.data)
    [(record_type, revisit, payload)] = records(first)
    assert record_type == "revisit"
    assert payload == b""
    assert revisit["WARC-Payload-Digest"] == response["WARC-Payload-Digest"]
    assert revisit["WARC-Refers-To-Target-URI"] == "https://example.org/first"
    assert revisit["WARC-Refers-To-Date"] == "2024-02-01T00:00:00Z"
    assert BODY not in gzip.decompress(first)


def test_the_default_level_gives_the_same_records_as_the_best_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The level only changes how hard each member is compressed: inflated, the records are the same
    # bytes (same headers and digests, same payload) as at ISA-L's best level, which built them before.
    restart_ids = numbered_record_ids(monkeypatch)
    capture = exchange(tmp_path)
    for refers_to in (None, REVISIT_TARGET):
        restart_ids()
        default = build_pair(capture, refers_to)
        restart_ids()
        best = build_pair(capture, refers_to, level=isal_zlib.ISAL_BEST_COMPRESSION)
        assert build.GZIP_LEVEL != isal_zlib.ISAL_BEST_COMPRESSION
        assert [gzip.decompress(m) for m in members(default.data)] == [
            gzip.decompress(m) for m in members(best.data)
        ]
        assert len(members(default.data)[0]) == default.response_length


def test_a_body_held_in_memory_gives_the_same_records_as_one_in_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fetcher keeps small bodies in memory and spills large ones to a scratch file (payload.py):
    # the records, digests included, must be the same bytes either way.
    restart_ids = numbered_record_ids(monkeypatch)
    in_file = exchange(tmp_path)
    in_memory = replace(in_file, payload=payload_in_memory(BODY))
    assert in_memory.payload.path is None
    assert in_file.payload.data is None
    for refers_to in (None, REVISIT_TARGET):
        restart_ids()
        from_file = build_pair(in_file, refers_to)
        restart_ids()
        assert build_pair(in_memory, refers_to) == from_file
