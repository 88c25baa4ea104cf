"""Building a capture's WARC records as finished bytes, away from the file and its lock.

Each record becomes its own gzip member, so a request/response (or request/revisit) pair can be built
anywhere, in a worker process even, and later appended to a WARC file as one write. Building is the
CPU-heavy part (digests and compression); appending and fsyncing is then quick, which is what lets one
writer keep up with many fetches.

Compression is ISA-L (python-isal) at its best level, 3, not zlib: each member is still standard
gzip that warcio, pywb and every other WARC reader read as usual. On 60 KB news pages here it takes
0.15 ms a page against 1.4 ms for zlib level 6 (warcio uses 9, slower still), for about 4% more bytes;
at a few hundred pages a second that was a fifth of the archiver's CPU.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Final

from isal import isal_zlib
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from factledger.archive.warc import (
    REVISIT_PROFILE,
    WARC_VERSION,
    Capture,
    RevisitTarget,
    _iter_file,
    _request_http_headers,
    _response_http_headers,
    _sha1_b32,
    _warc_date,
)

GZIP_LEVEL: Final = isal_zlib.ISAL_BEST_COMPRESSION


@dataclass(frozen=True, slots=True)
class BuiltPair:
    """Two gzip members: the response (or revisit) record first, then its request record."""

    data: bytes
    response_length: int  # bytes of the first member: the record a Snapshot points at
    record_id: str


def _gzip_member(raw: bytes, level: int) -> bytes:
    compressor = isal_zlib.compressobj(level, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
    return compressor.compress(raw) + compressor.flush()


def _warc_headers(
    record_type: str, capture: Capture, record_id: str, extra: list[tuple[str, str]]
) -> StatusAndHeaders:
    headers = [
        ("WARC-Type", record_type),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", _warc_date(capture.fetched_at)),
        ("WARC-Target-URI", capture.target_uri),
    ]
    if capture.peer_ip:
        headers.append(("WARC-IP-Address", capture.peer_ip))
    if capture.truncated and record_type == "response":
        headers.append(("WARC-Truncated", capture.truncated))
    headers.extend(extra)
    return StatusAndHeaders("", headers, protocol="WARC/" + WARC_VERSION)


def build_pair(
    capture: Capture, refers_to: RevisitTarget | None = None, *, level: int = GZIP_LEVEL
) -> BuiltPair:
    """The records for one capture: a response with its payload, or a revisit when ``refers_to`` is given."""
    writer = WARCWriter(None, gzip=False, warc_version=WARC_VERSION)
    http_headers = _response_http_headers(capture)
    http_headers.compute_headers_buffer()
    record_id = writer._make_warc_id()
    payload_digest = hashlib.sha1(usedforsecurity=False)
    block_digest = hashlib.sha1(http_headers.headers_buff, usedforsecurity=False)
    with capture.payload_path.open("rb") as payload:
        for chunk in _iter_file(payload):
            payload_digest.update(chunk)
            block_digest.update(chunk)
    first = io.BytesIO()
    writer.out = first
    if refers_to is None:
        size = capture.payload_path.stat().st_size
        extra = [
            ("WARC-Payload-Digest", _sha1_b32(payload_digest)),
            ("WARC-Block-Digest", _sha1_b32(block_digest)),
        ]
        with capture.payload_path.open("rb") as payload:
            record = writer.create_warc_record(
                capture.target_uri,
                "response",
                payload=payload,
                length=size,
                warc_headers=_warc_headers("response", capture, record_id, extra),
                http_headers=http_headers,
            )
            writer.write_record(record)
    else:
        extra = [
            ("WARC-Profile", REVISIT_PROFILE),
            ("WARC-Refers-To-Target-URI", refers_to.uri),
            ("WARC-Refers-To-Date", _warc_date(refers_to.date)),
        ]
        if refers_to.record_id:
            extra.append(("WARC-Refers-To", refers_to.record_id))
        extra.append(("WARC-Payload-Digest", _sha1_b32(payload_digest)))
        record = writer.create_warc_record(
            capture.target_uri,
            "revisit",
            warc_headers=_warc_headers("revisit", capture, record_id, extra),
            http_headers=http_headers,
        )
        writer.write_record(record)
    second = io.BytesIO()
    writer.out = second
    request = writer.create_warc_record(
        capture.target_uri,
        "request",
        warc_headers=_warc_headers(
            "request", capture, writer._make_warc_id(), [("WARC-Concurrent-To", record_id)]
        ),
        http_headers=_request_http_headers(capture),
    )
    writer.write_record(request)
    response_member = _gzip_member(first.getvalue(), level)
    return BuiltPair(
        response_member + _gzip_member(second.getvalue(), level), len(response_member), record_id
    )
