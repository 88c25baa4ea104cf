"""What a fetch is bounded by and what it returns: the data types shared by the fetcher and its callers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from factledger.archive.errors import ErrorKind
from factledger.archive.payload import Payload

__all__ = ["CAPTURES_IN_FLIGHT_PER_SLOT", "FetchLimits", "FetchResult", "MiB", "RedirectHop"]

MiB = 1024 * 1024
# Captures a fetch slot may have fetched and not yet handed to the committer (runner.py bounds them so).
CAPTURES_IN_FLIGHT_PER_SLOT = 2
# Bodies held in memory by all the captures in flight together, at most (payload.py), and by one.
HELD_BODIES_BYTES = 16 * MiB
MAX_BODY_IN_MEMORY = 512 * 1024


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Every bound on a fetch. Timeouts and delays are in seconds.

    Response headers are capped by httpcore at 100 KiB (h11's ``max_incomplete_event_size``); a larger
    header block ends as a "protocol" error, so there is no separate knob here.
    """

    concurrency: int = 16
    per_host: int = 4
    per_host_delay: float = 0.0  # minimum gap between request starts to one host
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # longest silence between two reads
    total_timeout: float = 60.0  # whole attempt: connect, headers and body (defeats a trickling body)
    max_bytes: int = 50 * MiB  # raw payload bytes, before any Content-Encoding is undone
    # A body up to this many bytes is held in memory, a larger one in a scratch file (payload.py says
    # why). None: HELD_BODIES_BYTES shared among the captures a run holds at once, at most 512 KiB
    # each (``body_memory_bytes``). Most pages, compressed as sent, are well below either.
    memory_bytes: int | None = None
    max_redirects: int = 10
    max_retries: int = 2
    backoff_base: float = 0.5
    max_retry_after: float = 30.0  # a longer Retry-After ends the fetch instead of stalling the run

    def __post_init__(self) -> None:
        # A zero here would not bound anything: it would hang every fetch on a semaphore.
        if min(self.concurrency, self.per_host) < 1:
            raise ValueError("concurrency and per_host must be at least 1")
        if min(self.max_bytes, self.memory_bytes or 0, self.max_redirects, self.max_retries) < 0:
            raise ValueError("max_bytes, memory_bytes, max_redirects and max_retries cannot be negative")

    @property
    def body_memory_bytes(self) -> int:
        """The largest body held in memory: ``memory_bytes``, or by default HELD_BODIES_BYTES over the
        ``concurrency * CAPTURES_IN_FLIGHT_PER_SLOT`` captures that can hold one at once, so a run at a
        high concurrency does not hold more bodies in memory than one at the default."""
        if self.memory_bytes is not None:
            return self.memory_bytes
        return min(MAX_BODY_IN_MEMORY, HELD_BODIES_BYTES // (self.concurrency * CAPTURES_IN_FLIGHT_PER_SLOT))


@dataclass(frozen=True, slots=True)
class RedirectHop:
    url: str
    status: int
    location: str  # the Location header exactly as sent; it may be relative


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One fetch, successful or not. The caller owns ``body`` and must ``discard()`` it (it may be a temp
    file)."""

    requested_url: str
    final_url: str  # the last URL requested (after redirects)
    status: int | None  # None when no response arrived
    reason: str | None
    http_version: str | None
    method: str
    request_headers: list[tuple[str, str]]  # as sent on the final request
    response_headers: list[tuple[str, str]]  # as received, minus Transfer-Encoding (the body is de-chunked)
    redirects: list[RedirectHop]
    body: Payload | None  # the raw payload: de-chunked, Content-Encoding kept
    peer_ip: str | None
    content_type: str | None
    started_at: datetime
    duration_ms: int
    attempts: int  # requests attempted, retries and redirect hops included
    error_kind: ErrorKind | None
    error_message: str | None  # one line, no credentials
    retry_after: float | None = None  # seconds the server asked for on the last 429/5xx

    @property
    def body_length(self) -> int:
        return self.body.length if self.body is not None else 0

    @property
    def payload_sha256(self) -> str | None:
        """Hex digest of the body's bytes."""
        return self.body.sha256 if self.body is not None else None

    @property
    def ok(self) -> bool:
        """A response arrived and it was not an HTTP error."""
        return self.error_kind is None and self.status is not None and self.status < 400
