"""Copying captures out of the WARC store byte for byte, for a WACZ bundle.

A Snapshot points at one gzip member: its response (or revisit) record. The store writes the matching
request record as the very next member, and every store file opens with a warcinfo record. Copying the
members unchanged keeps each record's digests, its WARC-Record-ID and the gzip framing exactly as
archived, so the bundle's WARC is the evidence itself rather than a re-encoding of it.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import IO, Final

from factledger.archive.objects import ObjectMissingError, ObjectStore
from factledger.archive.warc.records import WarcError, WarcLocation, check_filename, check_location

_CHUNK: Final = 1024 * 1024
# Request and warcinfo records are a few hundred bytes of headers; anything far bigger than this is not
# the record we are looking for, and is never held in memory.
_SMALL_MEMBER_LIMIT: Final = 4 * 1024 * 1024
_HEAD_LIMIT: Final = 64 * 1024
_HEADER_LINE = re.compile(rb"^([A-Za-z0-9-]+):[ \t]*(.*?)[ \t]*$")
# Enough open store files for the common case (captures cluster in a few files) without nearing the
# process's descriptor limit when a bundle spans thousands of rotated files.
_MAX_OPEN_FILES: Final = 32


@dataclass(frozen=True, slots=True)
class RecordHead:
    """The WARC headers a bundle needs from a record, read from the start of its gzip member."""

    record_type: str
    record_id: str
    target_uri: str
    date: str
    concurrent_to: str | None


def parse_head(member_prefix: bytes) -> RecordHead:
    """The WARC headers of the gzip member that ``member_prefix`` starts; raises WarcError if there are none."""
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(member_prefix, _HEAD_LIMIT)
    except zlib.error as exc:
        raise WarcError(f"not a gzip member ({exc})") from None
    end = head.find(b"\r\n\r\n")
    if not head.startswith(b"WARC/") or end < 0:
        raise WarcError("not a WARC record")
    fields: dict[str, str] = {}
    for line in head[:end].split(b"\r\n")[1:]:
        match = _HEADER_LINE.match(line)
        if match:
            fields.setdefault(
                match.group(1).decode("ascii").lower(), match.group(2).decode("utf-8", "replace")
            )
    return RecordHead(
        record_type=fields.get("warc-type", ""),
        record_id=fields.get("warc-record-id", ""),
        target_uri=fields.get("warc-target-uri", ""),
        date=fields.get("warc-date", ""),
        concurrent_to=fields.get("warc-concurrent-to"),
    )


def _member_at(handle: IO[bytes], offset: int) -> bytes | None:
    """The whole gzip member starting at ``offset`` if it is small and complete, else None."""
    handle.seek(offset)
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    raw = b""
    try:
        while not decompressor.eof:
            chunk = handle.read(64 * 1024)
            if not chunk or len(raw) + len(chunk) > _SMALL_MEMBER_LIMIT + 64 * 1024:
                return None
            raw += chunk
            pending = chunk
            while pending and not decompressor.eof:
                decompressor.decompress(pending, _CHUNK)
                pending = decompressor.unconsumed_tail
    except zlib.error:
        return None
    member = raw[: len(raw) - len(decompressor.unused_data)]
    return member if len(member) <= _SMALL_MEMBER_LIMIT else None


@dataclass(frozen=True, slots=True)
class CopiedCapture:
    head: RecordHead  # of the response or revisit record
    request_copied: bool
    bytes_written: int


class StoreReader:
    """Reads members out of the store's WARC objects, keeping each open while a bundle is built."""

    def __init__(self, objects: ObjectStore) -> None:
        self.objects = objects
        self._open: dict[str, IO[bytes]] = {}

    def _handle(self, name: str) -> IO[bytes]:
        handle = self._open.get(name)
        if handle is not None:
            return handle
        check_filename(name)
        try:
            handle = self.objects.open(name)
        except ObjectMissingError:
            raise WarcError(f"WARC file {name} is missing from {self.objects.name}") from None
        if len(self._open) >= _MAX_OPEN_FILES:
            oldest = next(iter(self._open))
            self._open.pop(oldest).close()
        self._open[name] = handle
        return handle

    def copy_capture(self, location: WarcLocation, out: IO[bytes]) -> CopiedCapture:
        """Append the response/revisit member at ``location`` to ``out``, then its request if it follows."""
        check_location(location)
        where = f"{location.filename}:{location.offset}"
        handle = self._handle(location.filename)
        handle.seek(location.offset)
        first = handle.read(min(location.length, _CHUNK))
        try:
            head = parse_head(first)
        except WarcError as exc:
            raise WarcError(f"no WARC record at {where}: {exc}") from None
        if head.record_type not in ("response", "revisit"):
            raise WarcError(f"record at {where} is a {head.record_type or 'non-WARC'}, not a response")
        out.write(first)
        remaining = location.length - len(first)
        while remaining > 0:
            chunk = handle.read(min(remaining, _CHUNK))
            if not chunk:
                raise WarcError(f"{location.filename} ends inside the record at {location.offset}")
            out.write(chunk)
            remaining -= len(chunk)
        written = location.length
        request = _member_at(handle, location.offset + location.length)
        request_copied = False
        if request is not None:
            try:
                request_head = parse_head(request)
            except WarcError:
                request_head = None
            if (
                request_head is not None
                and request_head.record_type == "request"
                and request_head.concurrent_to == head.record_id
            ):
                out.write(request)
                written += len(request)
                request_copied = True
        return CopiedCapture(head, request_copied, written)

    def warcinfo(self, name: str) -> bytes | None:
        """The warcinfo member that opens file ``name``, if it has one."""
        member = _member_at(self._handle(name), 0)
        if member is None:
            return None
        try:
            return member if parse_head(member).record_type == "warcinfo" else None
        except WarcError:
            return None

    def close(self) -> None:
        for handle in self._open.values():
            handle.close()
        self._open.clear()
