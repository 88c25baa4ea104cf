"""A crash-safe WARC 1.1 store on warcio: request/response/revisit records, rotation, repair, read-back.

Each process writes its own ``.warc.gz`` file and holds an exclusive ``flock`` on it while it is open, so
``repair`` (run on start) can tell a live writer's file from one a crashed writer left behind. Every record
is its own gzip member, and ``write_capture`` fsyncs before it returns: a database row written after it
never points at a partial record.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import http
import io
import os
import re
import threading
import zlib
from base64 import b32encode
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, Self
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from factledger import __version__
from factledger.archive.fsync import fsync_path

WARC_VERSION: Final = "1.1"
WARC_SUFFIX: Final = ".warc.gz"
# A file is created under this suffix and renamed once its warcinfo record is on disk and locked, so
# `repair` never sees (and deletes) a file a starting writer has not locked yet.
CREATING_SUFFIX: Final = ".warc.gz.creating"
REVISIT_PROFILE: Final = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
CONFORMS_TO: Final = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
GiB: Final = 1024**3
_CHUNK: Final = 1024 * 1024
# Room for the WARC and HTTP headers of a request/response pair when deciding whether to rotate.
_PAIR_OVERHEAD: Final = 4096
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class WarcError(Exception):
    """A WARC file or record could not be written or read."""


@dataclass(frozen=True, slots=True)
class Capture:
    """One HTTP exchange, as the fetcher saw it on the wire."""

    target_uri: str
    request_method: str
    request_http_version: str
    request_headers: Sequence[tuple[str, str]]
    status: int
    reason: str
    http_version: str
    # Raw pairs, Transfer-Encoding already removed. Header strings hold the wire bytes decoded as
    # ISO-8859-1 (as httpx does), so they are written back byte for byte.
    response_headers: Sequence[tuple[str, str]]
    payload_path: Path  # the body exactly as received: Content-Encoding not decoded
    payload_sha256: str
    fetched_at: datetime  # aware, UTC
    peer_ip: str | None = None
    truncated: str | None = None  # WARC-Truncated reason ("length", "time", "disconnect") if cut short


@dataclass(frozen=True, slots=True)
class WarcLocation:
    """Where a record lives: a file name inside the store's directory, the gzip member's offset and length."""

    filename: str
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class RevisitTarget:
    """The earlier capture an identical payload refers to."""

    uri: str
    date: datetime
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A response (or revisit) record read back; the payload is raw, as stored."""

    status: int
    headers: list[tuple[str, str]]
    payload: bytes
    target_uri: str
    record_type: str  # "response" or "revisit"
    record_id: str
    date: str
    refers_to: RevisitTarget | None = None

    @property
    def is_revisit(self) -> bool:
        return self.record_type == "revisit"


def _warc_date(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("WARC dates need an aware datetime")
    return str(datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True))


def _iter_file(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _sha1_b32(digest: Any) -> str:
    return "sha1:" + b32encode(digest.digest()).decode("ascii")


def _request_line_target(uri: str) -> str:
    parts = urlsplit(uri)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


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


def _response_http_headers(capture: Capture) -> StatusAndHeaders:
    reason = capture.reason
    if not reason:  # HTTP/2 has no reason phrase; replay tools expect one
        try:
            reason = http.HTTPStatus(capture.status).phrase
        except ValueError:
            reason = "Unknown"
    return _WireHeaders(
        f"{capture.status} {reason}", list(capture.response_headers), protocol=capture.http_version
    )


def _request_http_headers(capture: Capture) -> StatusAndHeaders:
    line = (
        f"{capture.request_method} {_request_line_target(capture.target_uri)} {capture.request_http_version}"
    )
    return _WireHeaders(line, list(capture.request_headers), is_http_request=True)


class WarcStore:
    """Appends captures to this process's own WARC file in ``directory``, rotating at ``max_file_bytes``.

    Thread-safe. Use as a context manager or call ``close()``; until then the current file stays locked.
    """

    def __init__(self, directory: Path, *, writer_name: str, max_file_bytes: int = GiB) -> None:
        name = _SAFE_NAME.sub("_", writer_name).strip("._")
        if not name:
            raise ValueError(f"writer_name {writer_name!r} has no usable characters")
        if max_file_bytes <= 0:
            raise ValueError("max_file_bytes must be positive")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.writer_name = name
        self.max_file_bytes = max_file_bytes
        self._lock = threading.Lock()
        self._serial = 0
        self._file: io.FileIO | None = None
        self._filename = ""
        self._size = 0
        self._records_in_file = 0
        self._warcinfo_id = ""
        self._writer = WARCWriter(None, gzip=True, warc_version=WARC_VERSION)

    # -- public API -----------------------------------------------------------------------------------

    @property
    def current_filename(self) -> str | None:
        return self._filename if self._file is not None else None

    def write_capture(self, capture: Capture) -> WarcLocation:
        """Write the response and its request; return the response record's location once it is on disk."""
        payload_size = capture.payload_path.stat().st_size
        with self._lock:
            self._ensure_room(payload_size)
            http_headers = _response_http_headers(capture)
            http_headers.compute_headers_buffer()
            payload_digest, block_digest = self._digests(http_headers.headers_buff, capture.payload_path)
            response_id = self._writer._make_warc_id()
            warc_headers = self._warc_headers(
                "response",
                capture,
                response_id,
                [("WARC-Payload-Digest", payload_digest), ("WARC-Block-Digest", block_digest)],
            )
            with capture.payload_path.open("rb") as payload:
                record = self._writer.create_warc_record(
                    capture.target_uri,
                    "response",
                    payload=payload,
                    length=payload_size,
                    warc_headers=warc_headers,
                    http_headers=http_headers,
                )
                return self._append_pair(record, capture, response_id)

    def write_revisit(self, capture: Capture, refers_to: RevisitTarget) -> WarcLocation:
        """Write a revisit record (headers, no payload) and its request; return the revisit's location."""
        with self._lock:
            self._ensure_room(0)
            http_headers = _response_http_headers(capture)
            payload_digest, _ = self._digests(b"", capture.payload_path)
            revisit_id = self._writer._make_warc_id()
            extra = [
                ("WARC-Profile", REVISIT_PROFILE),
                ("WARC-Refers-To-Target-URI", refers_to.uri),
                ("WARC-Refers-To-Date", _warc_date(refers_to.date)),
            ]
            if refers_to.record_id:
                extra.append(("WARC-Refers-To", refers_to.record_id))
            extra.append(("WARC-Payload-Digest", payload_digest))
            warc_headers = self._warc_headers("revisit", capture, revisit_id, extra)
            record = self._writer.create_warc_record(
                capture.target_uri, "revisit", warc_headers=warc_headers, http_headers=http_headers
            )
            return self._append_pair(record, capture, revisit_id)

    def append_built(self, data: bytes, response_length: int) -> WarcLocation:
        """Append a pair built by ``warc_build.build_pair``; NOT yet durable: call ``sync()`` before
        anything (a database row) may point at it. Appending many pairs and syncing once is the point."""
        with self._lock:
            self._ensure_room(len(data))
            assert self._file is not None
            start = self._size
            try:
                self._file.write(data)
            except BaseException:
                os.ftruncate(self._file.fileno(), start)
                self._file.seek(start)
                raise
            self._size = start + len(data)
            self._records_in_file += 2
            return WarcLocation(self._filename, start, response_length)

    def sync(self) -> None:
        """Make every appended record durable (one fsync for a whole group of captures)."""
        with self._lock:
            if self._file is not None:
                self._file.flush()
                os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock:
            self._close_file()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- records --------------------------------------------------------------------------------------

    def _warc_headers(
        self, record_type: str, capture: Capture, record_id: str, extra: list[tuple[str, str]]
    ) -> StatusAndHeaders:
        headers = [
            ("WARC-Type", record_type),
            ("WARC-Record-ID", record_id),
            ("WARC-Date", _warc_date(capture.fetched_at)),
            ("WARC-Target-URI", capture.target_uri),
        ]
        if capture.peer_ip:
            headers.append(("WARC-IP-Address", capture.peer_ip))
        headers.append(("WARC-Warcinfo-ID", self._warcinfo_id))
        if capture.truncated and record_type == "response":
            headers.append(("WARC-Truncated", capture.truncated))
        headers.extend(extra)
        return StatusAndHeaders("", headers, protocol="WARC/" + WARC_VERSION)

    @staticmethod
    def _digests(headers_buff: bytes, payload_path: Path) -> tuple[str, str]:
        """Payload and block SHA-1 in one pass over the file, in warcio's "sha1:BASE32" form.

        warcio would read the payload twice more to compute them; setting them up front makes it skip that.
        """
        payload_digest = hashlib.sha1(usedforsecurity=False)
        block_digest = hashlib.sha1(headers_buff, usedforsecurity=False)
        with payload_path.open("rb") as payload:
            for chunk in _iter_file(payload):
                payload_digest.update(chunk)
                block_digest.update(chunk)
        return _sha1_b32(payload_digest), _sha1_b32(block_digest)

    def _append_pair(self, record: Any, capture: Capture, record_id: str) -> WarcLocation:
        request_headers = self._warc_headers(
            "request", capture, self._writer._make_warc_id(), [("WARC-Concurrent-To", record_id)]
        )
        request = self._writer.create_warc_record(
            capture.target_uri,
            "request",
            warc_headers=request_headers,
            http_headers=_request_http_headers(capture),
        )
        assert self._file is not None
        start = self._size
        try:
            self._writer.out = self._file
            self._writer.write_record(record)
            record_end = self._file.tell()
            self._writer.write_record(request)
            self._file.flush()
            os.fsync(self._file.fileno())
        except BaseException:
            # Cut the half-written pair off so this live file stays valid; the caller records the failure.
            os.ftruncate(self._file.fileno(), start)
            self._file.seek(start)
            raise
        self._size = self._file.tell()
        self._records_in_file += 2
        return WarcLocation(self._filename, start, record_end - start)

    # -- files ----------------------------------------------------------------------------------------

    def _ensure_room(self, payload_size: int) -> None:
        if (
            self._file is not None
            and self._records_in_file
            and (self._size + payload_size + _PAIR_OVERHEAD > self.max_file_bytes)
        ):
            self._close_file()
        if self._file is None:
            self._open_file()

    def _open_file(self) -> None:
        while (opened := self._try_open_file()) is None:
            pass
        handle, filename, warcinfo_id = opened
        self._file = handle
        self._filename = filename
        self._size = handle.tell()
        self._records_in_file = 0
        self._warcinfo_id = warcinfo_id

    def _try_open_file(self) -> tuple[io.FileIO, str, str] | None:
        """Create, lock and publish the next file; None if its name was taken meanwhile."""
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        filename = f"factledger-{stamp}-{self.writer_name}-{self._serial:05d}{WARC_SUFFIX}"
        self._serial += 1
        final = self.directory / filename
        creating = self.directory / (filename.removesuffix(WARC_SUFFIX) + CREATING_SUFFIX)
        if final.exists():
            return None
        try:
            handle = creating.open("xb", buffering=0)
        except FileExistsError:
            return None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            warcinfo = self._writer.create_warcinfo_record(
                filename,
                {
                    "software": f"factledger/{__version__} (warcio/{package_version('warcio')})",
                    "format": "WARC file version 1.1",
                    "conformsTo": CONFORMS_TO,
                    "writer": self.writer_name,
                },
            )
            self._writer.out = handle
            self._writer.write_record(warcinfo)
            handle.flush()
            os.fsync(handle.fileno())
            _publish(creating, final)
            fsync_path(self.directory)
        except BaseException as exc:
            handle.close()
            creating.unlink(missing_ok=True)
            if isinstance(exc, FileExistsError):
                return None
            raise
        return handle, filename, str(warcinfo.rec_headers.get_header("WARC-Record-ID"))

    def _close_file(self) -> None:
        if self._file is None:
            return
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self._file.close()  # closing releases the flock
            self._file = None
            self._filename = ""


def _publish(creating: Path, final: Path) -> None:
    """Give the locked, warcinfo-only file its final name without ever replacing another file."""
    try:
        os.link(creating, final)  # unlike rename(), link() refuses to clobber an existing name
    except FileExistsError:
        raise
    except OSError as exc:  # a filesystem without hard links: rename, having checked the name is free
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if final.exists():
            raise FileExistsError(errno.EEXIST, "WARC file name taken", str(final)) from exc
        os.rename(creating, final)
        return
    creating.unlink()


# -- repair -----------------------------------------------------------------------------------------------

_WARC_LENGTH = re.compile(rb"\r\nContent-Length:[ \t]*(\d+)[ \t]*\r\n", re.IGNORECASE)


def _complete_records_end(stream: IO[bytes]) -> tuple[int, int]:
    """Return (end offset of the last complete record, number of complete records).

    Walks gzip members with zlib rather than warcio's ArchiveIterator: a member whose gzip trailer (CRC,
    size) is missing still yields a whole-looking record there, and the next writer would append after
    a broken member. A member counts when it decompresses to its end with a valid CRC and holds exactly
    one WARC record: headers, Content-Length bytes of block, then CRLF CRLF. Output is bounded per step,
    so a huge (or hostile) member never sits in memory.
    """
    good_end = 0
    records = 0
    offset = 0
    stream.seek(0)
    data = b""
    while True:
        if not data:
            data = stream.read(_CHUNK)
            if not data:
                return good_end, records
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        head = b""
        tail = b""
        produced = 0
        try:
            while True:
                out = decompressor.decompress(data, _CHUNK)
                produced += len(out)
                if len(head) < 65536:
                    head += out[: 65536 - len(head)]
                tail = (tail + out[-4:])[-4:]
                if decompressor.eof:
                    rest = decompressor.unused_data
                    offset += len(data) - len(rest)
                    data = rest
                    break
                offset += len(data) - len(decompressor.unconsumed_tail)
                data = decompressor.unconsumed_tail or stream.read(_CHUNK)
                if not data:
                    return good_end, records  # the member never ended
        except zlib.error:
            return good_end, records
        header_end = head.find(b"\r\n\r\n")
        match = _WARC_LENGTH.search(head, 0, header_end + 2) if header_end > 0 else None
        if not head.startswith(b"WARC/") or match is None:
            return good_end, records
        if produced != header_end + 4 + int(match.group(1)) + 4 or tail != b"\r\n\r\n":
            return good_end, records
        good_end = offset
        records += 1


def repair(directory: Path) -> list[str]:
    """Truncate partial tails left by crashed writers; return what was done, one line per file.

    Files a live ``WarcStore`` holds (exclusive flock) are skipped. A file without even one complete
    record (its warcinfo) is deleted, and so is a leftover ``*.creating`` file.
    """
    actions: list[str] = []
    directory = Path(directory)
    if not directory.is_dir():
        return actions
    for path in sorted(directory.iterdir()):
        creating = path.name.endswith(CREATING_SUFFIX)
        if not (creating or path.name.endswith(WARC_SUFFIX)) or not path.is_file():
            continue
        try:
            handle = path.open("r+b")
        except FileNotFoundError:
            continue
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    actions.append(f"{path.name}: skipped, a live writer holds it")
                    continue
                raise
            if not _same_file(path, handle):  # renamed or removed while we waited
                continue
            if creating:
                path.unlink()
                actions.append(f"{path.name}: deleted, a writer died before its warcinfo was committed")
                continue
            size = os.fstat(handle.fileno()).st_size
            good_end, records = _complete_records_end(handle)
            if records == 0:
                path.unlink()
                actions.append(f"{path.name}: deleted, no complete record ({size} bytes)")
            elif good_end < size:
                handle.truncate(good_end)
                handle.flush()
                os.fsync(handle.fileno())
                actions.append(
                    f"{path.name}: truncated {size - good_end} bytes of partial tail after "
                    f"{records} complete records (now {good_end} bytes)"
                )
    if actions:
        fsync_path(directory)
    return actions


def _same_file(path: Path, handle: IO[bytes]) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    opened = os.fstat(handle.fileno())
    return (on_disk.st_dev, on_disk.st_ino) == (opened.st_dev, opened.st_ino)


# -- reading ----------------------------------------------------------------------------------------------


def read_record(directory: Path, location: WarcLocation) -> StoredResponse:
    """Read back the response or revisit record at ``location`` (payload raw, Content-Encoding kept)."""
    name = location.filename
    if not name or "/" in name or "\\" in name or name.startswith(".") or not name.endswith(WARC_SUFFIX):
        raise WarcError(f"not a WARC file name of this store: {name!r}")
    if location.offset < 0 or location.length <= 0:
        raise WarcError(f"invalid record location {location}")
    path = Path(directory) / name
    try:
        with path.open("rb") as handle:
            handle.seek(location.offset)
            member = handle.read(location.length)
    except FileNotFoundError as exc:
        raise WarcError(f"WARC file {name} is missing") from exc
    if len(member) != location.length:
        raise WarcError(f"{name} ends before the record at {location.offset} (+{location.length}) does")
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        record_type = record.rec_type
        if record_type not in ("response", "revisit"):
            raise WarcError(f"record at {name}:{location.offset} is a {record_type}, not a response")
        payload = b"" if record_type == "revisit" else record.raw_stream.read()
    except StopIteration as exc:
        raise WarcError(f"no WARC record at {name}:{location.offset}") from exc
    except WarcError:
        raise
    except Exception as exc:  # warcio raises ArchiveLoadFailed, zlib errors, ValueError...
        raise WarcError(f"unreadable WARC record at {name}:{location.offset}: {exc}") from exc
    rec = record.rec_headers
    http_headers = record.http_headers
    if http_headers is None:
        raise WarcError(f"record at {name}:{location.offset} has no HTTP headers")
    refers_to = None
    if record_type == "revisit":
        refers_uri = rec.get_header("WARC-Refers-To-Target-URI")
        refers_date = rec.get_header("WARC-Refers-To-Date")
        if refers_uri and refers_date:
            refers_to = RevisitTarget(
                uri=refers_uri,
                date=datetime.fromisoformat(refers_date.replace("Z", "+00:00")),
                record_id=rec.get_header("WARC-Refers-To"),
            )
    return StoredResponse(
        status=int(http_headers.get_statuscode()),
        headers=list(http_headers.headers),
        payload=payload,
        target_uri=rec.get_header("WARC-Target-URI") or "",
        record_type=record_type,
        record_id=rec.get_header("WARC-Record-ID") or "",
        date=rec.get_header("WARC-Date") or "",
        refers_to=refers_to,
    )
