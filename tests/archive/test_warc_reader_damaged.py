"""A damaged record is a WarcError, never another exception (found by tests/fuzz: on main a status line
`HTTP/1.1\\x00200 OK` raised ValueError from int() and a bad WARC-Refers-To-Date one from fromisoformat)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from factledger.archive.warc.reader import read_record
from factledger.archive.warc.records import WarcError, WarcLocation

pytestmark = pytest.mark.unit

BODY = b"<html><body><p>Spending rose by 45 percent.</p></body></html>"


def _record(protocol: str, status: str, record_type: str = "response", **warc_headers: str) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    http = StatusAndHeaders(status, [("Content-Type", "text/html")], protocol=protocol)
    record = writer.create_warc_record(
        "https://news.example/a",
        record_type,
        payload=io.BytesIO(b"" if record_type == "revisit" else BODY),
        http_headers=http,
        warc_headers_dict=warc_headers,
    )
    writer.write_record(record)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        _record("HTTP/1.1\x00200", "OK"),  # hostile input: a NUL where the status line's space was
        _record("HTTP/1.1", "2OO OK"),
        _record(
            "HTTP/1.1",
            "200 OK",
            "revisit",
            **{"WARC-Refers-To-Target-URI": "https://news.example/a", "WARC-Refers-To-Date": "yesterday"},
        ),
    ],
    ids=["nul-in-status-line", "letters-in-status", "unparsable-revisit-date"],
)
def test_an_unparsable_status_or_date_is_a_warc_error(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "damaged.warc.gz").write_bytes(data)
    with pytest.raises(WarcError, match="unreadable WARC record"):
        read_record(tmp_path, WarcLocation("damaged.warc.gz", 0, len(data)))


_REVISIT_WITHOUT_HTTP = (
    b"WARC/1.0\r\nWARC-Type: revisit\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
    b"WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: https://news.example/a\r\n"
    b"Content-Length: 0\r\n\r\n\r\n\r\n"
)


@pytest.mark.parametrize(
    "data",
    [gzip.compress(b""), gzip.compress(_REVISIT_WITHOUT_HTTP)],
    ids=["member-without-a-record", "revisit-without-http-block"],
)
def test_every_kind_of_damage_reads_as_an_unreadable_record(tmp_path: Path, data: bytes) -> None:
    """Input: a gzip member holding no record, and a revisit record with no HTTP block. A damaged member
    is reported the same way whatever the damage broke, so `store check` and verify name it alike (a
    `store check` test that flips a byte mid-record read "has no HTTP headers" or "unreadable" depending
    on where its flip landed in that run's record)."""
    (tmp_path / "damaged.warc.gz").write_bytes(data)
    with pytest.raises(WarcError, match=r"^unreadable WARC record at damaged\.warc\.gz:0: "):
        read_record(tmp_path, WarcLocation("damaged.warc.gz", 0, len(data)))
