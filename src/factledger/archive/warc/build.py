"""Building a capture's WARC records as finished bytes, away from the file and its lock.

Each record becomes its own gzip member, so a request/response (or request/revisit) pair can be built
anywhere, in a worker process even, and later appended to a WARC file as one write (store.py). Building
is the CPU-heavy part (digests and compression); appending and fsyncing is then quick, which is what lets
one writer keep up with many fetches.

Compression is ISA-L (python-isal) at level 2, not zlib: each member is still standard gzip that
warcio, pywb and every other WARC reader read as usual. zlib level 6 took 1.4 ms for a 60 KB news page
(warcio uses 9, slower still), at a few hundred pages a second a fifth of the archiver's CPU. ISA-L's
best level, 3, takes 0.38 ms for about 4% more bytes than zlib's; level 2 takes half that, 0.19 ms, for
2% more bytes than level 3 (the archive benchmark prints the difference on its own run's records).

The records carry no WARC-Warcinfo-ID: the file a pair lands in (and so its warcinfo record) is only
known when the store appends it, and WARC 1.1 makes the field optional. Every store file opens with its
warcinfo record, which describes the records that follow it.
"""

from __future__ import annotations

import hashlib
import http
import io
from base64 import b32encode
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from isal import isal_zlib
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from factledger.archive.warc.records import (
    READ_CHUNK,
    REVISIT_PROFILE,
    WARC_VERSION,
    HttpExchange,
    RevisitTarget,
    new_record_id,
    warc_date,
)

GZIP_LEVEL: Final = 2  # ISA-L's levels are 0 to 3 (ISAL_BEST_COMPRESSION)


@dataclass(frozen=True, slots=True)
class BuiltPair:
    """Two gzip members: the response (or revisit) record first, then its request record."""

    data: bytes
    response_length: int  # bytes of the first member: the record a Snapshot points at


class _WireHeaders(StatusAndHeaders):  # type: ignore[misc]  # warcio is untyped
    """HTTP headers written back byte for byte.

    warcio percent-encodes any non-ASCII header value (RFC 8187 style), which rewrites what the server
    sent. Header strings here carry the wire bytes decoded as ISO-8859-1 (httpx's convention), so
    encoding them the same way restores the exact bytes; anything beyond U+00FF falls back to warcio.
    """

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        try:
            self.headers_buff = self.to_str(header_filter).encode("iso-8859-1") + b"\r\n"
        except UnicodeEncodeError:
            super().compute_headers_buffer(header_filter)


def _response_http_headers(exchange: HttpExchange) -> StatusAndHeaders:
    reason = exchange.reason
    if not reason:  # HTTP/2 has no reason phrase; replay tools expect one
        try:
            reason = http.HTTPStatus(exchange.status).phrase
        except ValueError:
            reason = "Unknown"
    return _WireHeaders(
        f"{exchange.status} {reason}", list(exchange.response_headers), protocol=exchange.http_version
    )


def _request_line_target(uri: str) -> str:
    parts = urlsplit(uri)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _request_http_headers(exchange: HttpExchange) -> StatusAndHeaders:
    target = _request_line_target(exchange.target_uri)
    line = f"{exchange.request_method} {target} {exchange.request_http_version}"
    return _WireHeaders(line, list(exchange.request_headers), is_http_request=True)


def _warc_headers(
    record_type: str, exchange: HttpExchange, record_id: str, extra: list[tuple[str, str]]
) -> StatusAndHeaders:
    headers = [
        ("WARC-Type", record_type),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(exchange.fetched_at)),
        ("WARC-Target-URI", exchange.target_uri),
    ]
    if exchange.peer_ip:
        headers.append(("WARC-IP-Address", exchange.peer_ip))
    headers.extend(extra)
    return StatusAndHeaders("", headers, protocol="WARC/" + WARC_VERSION)


def _sha1_b32(digest: Any) -> str:
    return "sha1:" + b32encode(digest.digest()).decode("ascii")


def _digests(http_headers: StatusAndHeaders, exchange: HttpExchange) -> tuple[str, str]:
    """Payload and block SHA-1 in one pass over the payload, in warcio's "sha1:BASE32" form.

    warcio would read the payload twice more to compute them; setting them up front makes it skip that.
    """
    payload_digest = hashlib.sha1(usedforsecurity=False)
    block_digest = hashlib.sha1(http_headers.headers_buff, usedforsecurity=False)
    if exchange.payload.data is not None:
        payload_digest.update(exchange.payload.data)
        block_digest.update(exchange.payload.data)
    else:
        with exchange.payload.open() as payload:
            while chunk := payload.read(READ_CHUNK):
                payload_digest.update(chunk)
                block_digest.update(chunk)
    return _sha1_b32(payload_digest), _sha1_b32(block_digest)


def _gzip_member(raw: memoryview, level: int) -> bytes:
    compressor = isal_zlib.compressobj(level, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
    return compressor.compress(raw) + compressor.flush()


def build_pair(
    exchange: HttpExchange, refers_to: RevisitTarget | None = None, *, level: int = GZIP_LEVEL
) -> BuiltPair:
    """The records for one capture: a response with its payload, or a revisit when ``refers_to`` is given."""
    raw = io.BytesIO()
    writer = WARCWriter(raw, gzip=False, warc_version=WARC_VERSION)
    http_headers = _response_http_headers(exchange)
    http_headers.compute_headers_buffer()
    record_id = new_record_id()
    payload_digest, block_digest = _digests(http_headers, exchange)
    if refers_to is None:
        extra = [("WARC-Payload-Digest", payload_digest), ("WARC-Block-Digest", block_digest)]
        with exchange.payload.open() as payload:
            record = writer.create_warc_record(
                exchange.target_uri,
                "response",
                payload=payload,
                length=exchange.payload.length,
                warc_headers=_warc_headers("response", exchange, record_id, extra),
                http_headers=http_headers,
            )
            writer.write_record(record)
    else:
        extra = [
            ("WARC-Profile", REVISIT_PROFILE),
            ("WARC-Refers-To-Target-URI", refers_to.uri),
            ("WARC-Refers-To-Date", warc_date(refers_to.date)),
            ("WARC-Payload-Digest", payload_digest),
        ]
        record = writer.create_warc_record(
            exchange.target_uri,
            "revisit",
            warc_headers=_warc_headers("revisit", exchange, record_id, extra),
            http_headers=http_headers,
        )
        writer.write_record(record)
    first_end = raw.tell()
    request_headers = _warc_headers("request", exchange, new_record_id(), [("WARC-Concurrent-To", record_id)])
    request = writer.create_warc_record(
        exchange.target_uri,
        "request",
        warc_headers=request_headers,
        http_headers=_request_http_headers(exchange),
    )
    writer.write_record(request)
    with raw.getbuffer() as records:  # slices of the buffer: neither record is copied before compression
        response_member = _gzip_member(records[:first_end], level)
        request_member = _gzip_member(records[first_end:], level)
    return BuiltPair(response_member + request_member, len(response_member))
