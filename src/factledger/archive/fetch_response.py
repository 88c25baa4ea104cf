"""One HTTP response as the fetcher reads it: its description, its body streamed under the size cap, and
the failure that ends an attempt.

The body is kept as it came off the wire (de-chunked, Content-Encoding kept) as a ``Payload``: in memory when
small, else in a temp file the caller owns (payload.py says why both).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

import httpcore
import httpx

from factledger.archive.errors import ErrorKind
from factledger.archive.guard import peer_ip
from factledger.archive.payload import Payload
from factledger.archive.processes import pid_alive

__all__ = ["FetchFailure", "Response", "describe_response", "retry_after_seconds", "save_body"]


@dataclass(slots=True)
class Response:
    """What one request produced; the body only for responses that end a fetch."""

    url: httpx.URL
    status: int
    reason: str
    http_version: str
    request_headers: list[tuple[str, str]]
    response_headers: list[tuple[str, str]]
    peer_ip: str | None
    body: Payload | None = None
    retry_after: float | None = None
    exhausted: str | None = None  # why a retryable status was given up on

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.response_headers if key.lower() == wanted), None)

    def discard_body(self) -> None:
        if self.body is not None:
            self.body.discard()
            self.body = None


class FetchFailure(Exception):
    """Why an attempt ended without a usable response; ``retryable`` says whether trying again may help."""

    def __init__(
        self, kind: ErrorKind, message: str, *, retryable: bool = False, response: Response | None = None
    ) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.retryable = retryable
        self.response = response  # set when a status line arrived before the failure


async def save_body(
    raw: httpx.Response, response: Response, *, cap: int, in_memory: int, temp_dir: Path
) -> None:
    """Read the raw payload under the size cap: in memory up to ``in_memory`` bytes, then on into a temp file.
    A failed body leaves no file behind."""
    declared = raw.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchFailure("too_large", f"Content-Length {declared} is over the {cap} byte cap")
    digest = hashlib.sha256()
    length = 0
    chunks: list[bytes] = []
    spill: BinaryIO | None = None
    path: Path | None = None
    try:
        async for chunk in raw.aiter_raw():
            length += len(chunk)
            if length > cap:
                raise FetchFailure("too_large", f"body is over the {cap} byte cap")
            digest.update(chunk)
            if spill is not None:
                # Plain blocking writes: chunks are at most 64 KiB and land in the page cache, which
                # costs less than a hop to a worker thread per chunk.
                spill.write(chunk)
                continue
            chunks.append(chunk)
            if length > in_memory:
                spill, path = _scratch_file(temp_dir)
                spill.writelines(chunks)
                chunks.clear()
    except BaseException:
        if spill is not None:
            spill.close()
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    if spill is not None:
        spill.close()
        response.body = Payload(length, digest.hexdigest(), path=path)
    else:
        response.body = Payload(length, digest.hexdigest(), data=b"".join(chunks))


def _scratch_file(temp_dir: Path) -> tuple[BinaryIO, Path]:
    # The process id in the name lets a later run sweep what a killed worker left (sweep_payloads).
    descriptor, name = tempfile.mkstemp(dir=temp_dir, prefix=f"fetch-{os.getpid()}-", suffix=".payload")
    return os.fdopen(descriptor, "wb"), Path(name)


_PAYLOAD_NAME = re.compile(r"fetch-(\d+)-[^/]*\.payload")
_ORPHAN_AGE_SECONDS = 3600  # a payload file without a process id in its name (older versions) this old


def sweep_payloads(temp_dir: Path) -> list[str]:
    """Remove the payload files that killed workers left in ``temp_dir``: those whose process is gone.
    One line saying how many, or none."""
    if not temp_dir.is_dir():
        return []
    removed = 0
    for path in temp_dir.glob("fetch-*.payload"):
        match = _PAYLOAD_NAME.fullmatch(path.name)
        try:
            if match is not None:
                if pid_alive(int(match.group(1))):
                    continue
            elif path.stat().st_mtime > time.time() - _ORPHAN_AGE_SECONDS:
                continue
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return [f"{temp_dir.name}: removed {removed} payload files that killed workers left"] if removed else []


def describe_response(request: httpx.Request, raw: httpx.Response) -> Response:
    stream = raw.extensions.get("network_stream")
    return Response(
        url=request.url,
        status=raw.status_code,
        reason=raw.reason_phrase,
        http_version=raw.http_version,
        request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
        response_headers=[
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in raw.headers.raw
            if k.lower() != b"transfer-encoding"
        ],
        peer_ip=peer_ip(stream) if isinstance(stream, httpcore.AsyncNetworkStream) else None,
    )


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header: either delta-seconds or an HTTP-date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
