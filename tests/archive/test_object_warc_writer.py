"""The WARC writer for a bucket: each commit group becomes one object, spooled through an anonymous file
in the scratch directory (never held in memory) and uploaded in bounded parts (moto on loopback)."""

from __future__ import annotations

import io
import os
import tempfile
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factledger.archive.objects import UPLOAD_PART_BYTES, S3Objects
from factledger.archive.warc.build import build_pair
from factledger.archive.warc.reader import read_record
from factledger.archive.warc.records import HttpExchange
from factledger.archive.warc.store import ObjectWarcWriter
from tests.payloads import payload_in_file
from tests.s3_server import S3Server

pytestmark = pytest.mark.integration


def exchange(directory: Path, n: int, size: int) -> HttpExchange:
    # Incompressible: the gzip members are as big as the payload.
    payload = payload_in_file(directory / f"payload-{n}", os.urandom(size))
    return HttpExchange(
        target_uri=f"https://example.org/big/{n}",
        request_method="GET",
        request_http_version="HTTP/1.1",
        request_headers=[("Host", "example.org")],
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        response_headers=[("Content-Type", "application/octet-stream")],
        payload=payload,
        fetched_at=datetime.now(UTC),
    )


def test_a_group_bigger_than_a_part_is_spooled_not_kept_and_reads_back(
    tmp_path: Path, s3_server: S3Server
) -> None:
    objects = S3Objects(f"{s3_server.new_bucket()}/warcs")
    scratch = tmp_path / "scratch"
    writer = ObjectWarcWriter(objects, writer_name="big", spool_dir=scratch)
    payloads = tmp_path / "payloads"
    payloads.mkdir()
    locations = []
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for n in range(3):  # 3 x 4 MB: the group needs a multipart upload
            built = build_pair(exchange(payloads, n, 4 * 1024 * 1024))
            locations.append(writer.append_built(built.data, built.response_length))
            del built
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # An in-memory group would hold all 12 MB here; the spool holds none of it.
    assert held - before < 1024 * 1024
    assert list(scratch.iterdir()) == []  # the spool file has no name: a crash leaves nothing

    writer.sync()

    [stored] = list(objects.list())
    assert stored.size > 2 * UPLOAD_PART_BYTES
    for n, location in enumerate(locations):
        assert location.filename == stored.key
        assert read_record(objects, location).payload == (payloads / f"payload-{n}").read_bytes()
    assert list(scratch.iterdir()) == []


def test_a_group_never_synced_stores_nothing(tmp_path: Path, s3_server: S3Server) -> None:
    objects = S3Objects(f"{s3_server.new_bucket()}/warcs")
    writer = ObjectWarcWriter(objects, writer_name="dropped", spool_dir=tmp_path / "scratch")
    payloads = tmp_path / "payloads"
    payloads.mkdir()
    built = build_pair(exchange(payloads, 0, 1000))
    writer.append_built(built.data, built.response_length)

    writer.close()
    writer.sync()  # nothing left to store

    assert list(objects.list()) == []


def test_a_file_up_to_a_part_goes_in_one_put_of_its_rest_and_any_other_stream_reads_back_the_same(
    tmp_path: Path, s3_server: S3Server
) -> None:
    """put_file sends a regular file of up to a part's size in one PUT from its mapped pages (no copy
    of the body in memory), from the file's position on; a stream with no file behind it is read."""
    url = s3_server.new_bucket()
    objects = S3Objects(f"{url}/warcs")
    head, rest = b"not this part " * 100, os.urandom(300_000)
    with tempfile.TemporaryFile(dir=tmp_path) as spool:
        spool.write(head + rest)
        spool.seek(len(head))
        tracemalloc.start()
        try:
            objects.put_file("mapped.warc.gz", spool)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < len(rest) // 4  # the body never became a Python bytes object (reading it would)
        assert spool.tell() == len(head) + len(rest)  # read to its end, as a read would leave it
    objects.put_file("streamed.warc.gz", io.BytesIO(rest))
    assert objects.get("mapped.warc.gz") == rest
    assert objects.get("streamed.warc.gz") == rest
    sent = [request for request in s3_server.requests(url) if "mapped" in request[1]]
    assert sent[0] == ("PUT", "captures/warcs/mapped.warc.gz")
    assert sent.count(sent[0]) == 1
    assert [method for method, _ in sent] == ["PUT", "GET"]  # one PUT (no multipart), then the read
