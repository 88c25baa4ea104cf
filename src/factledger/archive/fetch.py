"""The fetcher: one shared httpx client, bounded in every direction, that turns every outcome into data.

A source that times out, resets, loops or points at the intranet is a fact about that source, so
``Fetcher.fetch`` returns a ``FetchResult`` for it instead of raising. The result carries what a WARC
request/response pair needs (the request headers as sent, the status line, the raw response headers and the
payload exactly as it came off the wire, de-chunked but still content-encoded).

Redirects are followed here rather than by httpx so each hop is recorded, capped and checked: a Location
must be http(s) and carry no credentials. The address guard underneath checks every connection of every hop.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import ssl
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from types import TracebackType
from typing import Self

import httpcore
import httpx

from factledger import __version__
from factledger.archive.errors import AddressGuardError, ErrorKind, diagnose
from factledger.archive.guard import AddressPolicy, GuardedTransport, Resolver, peer_ip

__all__ = ["DEFAULT_USER_AGENT", "ErrorKind", "FetchLimits", "FetchResult", "Fetcher", "MiB", "RedirectHop"]

MiB = 1024 * 1024
DEFAULT_USER_AGENT = f"factledger/{__version__} (+https://github.com/factledger)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Only encodings the extractor can undo with the standard library; the payload is stored still encoded.
ACCEPT_ENCODING = "gzip, deflate"
ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"
_MAX_MESSAGE = 300


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
    max_redirects: int = 10
    max_retries: int = 2
    backoff_base: float = 0.5
    max_retry_after: float = 30.0  # a longer Retry-After ends the fetch instead of stalling the run

    def __post_init__(self) -> None:
        # A zero here would not bound anything: it would hang every fetch on a semaphore.
        if min(self.concurrency, self.per_host) < 1:
            raise ValueError("concurrency and per_host must be at least 1")
        if min(self.max_bytes, self.max_redirects, self.max_retries) < 0:
            raise ValueError("max_bytes, max_redirects and max_retries cannot be negative")


@dataclass(frozen=True, slots=True)
class RedirectHop:
    url: str
    status: int
    location: str  # the Location header exactly as sent; it may be relative


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One fetch, successful or not. ``body_path`` is a temp file the caller owns and must delete."""

    requested_url: str
    final_url: str  # the last URL requested (after redirects)
    status: int | None  # None when no response arrived
    reason: str | None
    http_version: str | None
    method: str
    request_headers: list[tuple[str, str]]  # as sent on the final request
    response_headers: list[tuple[str, str]]  # as received, minus Transfer-Encoding (the body is de-chunked)
    redirects: list[RedirectHop]
    body_path: Path | None  # the raw payload: de-chunked, Content-Encoding kept
    body_length: int
    payload_sha256: str | None  # hex digest of the bytes in body_path
    peer_ip: str | None
    content_type: str | None
    started_at: datetime
    duration_ms: int
    attempts: int  # requests attempted, retries and redirect hops included
    error_kind: ErrorKind | None
    error_message: str | None  # one line, no credentials
    retry_after: float | None = None  # seconds the server asked for on the last 429/5xx

    @property
    def ok(self) -> bool:
        """A response arrived and it was not an HTTP error."""
        return self.error_kind is None and self.status is not None and self.status < 400


@dataclass(slots=True)
class _Response:
    """What one request produced; the body only for responses that end a fetch."""

    url: httpx.URL
    status: int
    reason: str
    http_version: str
    request_headers: list[tuple[str, str]]
    response_headers: list[tuple[str, str]]
    peer_ip: str | None
    body_path: Path | None = None
    body_length: int = 0
    payload_sha256: str | None = None
    retry_after: float | None = None
    exhausted: str | None = None  # why a retryable status was given up on

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.response_headers if key.lower() == wanted), None)

    def discard_body(self) -> None:
        if self.body_path is not None:
            self.body_path.unlink(missing_ok=True)
            self.body_path = None


class _Failure(Exception):
    def __init__(
        self, kind: ErrorKind, message: str, *, retryable: bool = False, response: _Response | None = None
    ) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.retryable = retryable
        self.response = response  # set when a status line arrived before the failure


@dataclass(slots=True)
class _Trail:
    url: httpx.URL | None = None
    attempts: int = 0
    redirects: list[RedirectHop] = field(default_factory=list)


class _HostGate:
    __slots__ = ("next_start", "slots", "users")

    def __init__(self, per_host: int) -> None:
        self.slots = asyncio.Semaphore(per_host)
        self.next_start = 0.0
        self.users = 0


class _Gates:
    """Global and per-host concurrency, plus the per-host gap between request starts."""

    def __init__(self, limits: FetchLimits) -> None:
        self._limits = limits
        self._global = asyncio.Semaphore(limits.concurrency)
        self._hosts: dict[str, _HostGate] = {}

    @asynccontextmanager
    async def admit(self, host: str) -> AsyncIterator[None]:
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = _HostGate(self._limits.per_host)
        gate.users += 1
        try:
            # Host slot first, so requests queued for one busy host do not hold global slots; the gap is
            # taken last, so the spacing holds for the moment requests really start.
            async with gate.slots, self._global:
                await self._keep_gap(gate)
                yield
        finally:
            gate.users -= 1
            if gate.users == 0 and gate.next_start <= time.monotonic():
                del self._hosts[host]  # forget idle hosts: a long run sees hundreds of thousands

    async def _keep_gap(self, gate: _HostGate) -> None:
        if self._limits.per_host_delay <= 0:
            return
        now = time.monotonic()
        start = max(now, gate.next_start)
        gate.next_start = start + self._limits.per_host_delay
        if start > now:
            await asyncio.sleep(start - now)


class Fetcher:
    """Fetches URLs for the archive. Use as ``async with Fetcher(...) as fetcher``; share one per run."""

    def __init__(
        self,
        limits: FetchLimits | None = None,
        policy: AddressPolicy | None = None,
        *,
        temp_dir: Path,
        resolver: Resolver | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.limits = limits if limits is not None else FetchLimits()
        self.policy = policy if policy is not None else AddressPolicy()
        self._temp_dir = temp_dir
        self._gates = _Gates(self.limits)
        # One fetch holds at most one connection at a time, so the pool never waits for a slot.
        transport = GuardedTransport(
            self.policy,
            resolver=resolver,
            inner=network_backend,
            ssl_context=ssl_context,
            max_connections=self.limits.concurrency,
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # proxy variables must not be able to reroute the archiver
            # A jar whose policy accepts no domain: Set-Cookie is never stored, so no cookie is ever sent.
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            headers={"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                connect=self.limits.connect_timeout,
                read=self.limits.read_timeout,
                write=self.limits.read_timeout,
                pool=self.limits.total_timeout,
            ),
        )

    async def __aenter__(self) -> Self:
        self._temp_dir.mkdir(parents=True, exist_ok=True)
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._client.__aexit__(exc_type, exc, tb)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str) -> FetchResult:
        """Fetch ``url``, following redirects. Network trouble of any kind ends up in the result."""
        started_at = datetime.now(UTC)
        clock = time.monotonic()
        trail = _Trail()
        response: _Response | None
        try:
            response = await self._follow(url, trail)
            kind: ErrorKind | None = None if response.exhausted is None else "http_status"
            message = response.exhausted
        except _Failure as failure:
            response, kind, message = failure.response, failure.kind, failure.message
        final_url = response.url if response is not None else trail.url
        return FetchResult(
            requested_url=url,
            final_url=_redacted(final_url) if final_url is not None else url,
            status=response.status if response else None,
            reason=response.reason if response else None,
            http_version=response.http_version if response else None,
            method="GET",
            request_headers=response.request_headers if response else [],
            response_headers=response.response_headers if response else [],
            redirects=trail.redirects,
            body_path=response.body_path if response else None,
            body_length=response.body_length if response else 0,
            payload_sha256=response.payload_sha256 if response else None,
            peer_ip=response.peer_ip if response else None,
            content_type=response.header("content-type") if response else None,
            started_at=started_at,
            duration_ms=round((time.monotonic() - clock) * 1000),
            attempts=trail.attempts,
            error_kind=kind,
            error_message=_one_line(message) if message is not None else None,
            retry_after=response.retry_after if response else None,
        )

    async def _follow(self, url: str, trail: _Trail) -> _Response:
        # Fragments never reach the server, so they are no part of the URLs requested and recorded.
        current = _checked_url(url, "bad_url").copy_with(fragment=None)
        seen = {current}
        while True:
            trail.url = current
            response = await self._with_retries(current, trail)
            location = response.header("location")
            if response.status not in REDIRECT_STATUSES or location is None:
                return response
            trail.redirects.append(RedirectHop(_redacted(current), response.status, location))
            try:
                current = self._redirect_target(current, location, seen, len(trail.redirects))
            except _Failure as failure:
                failure.response = response
                raise
            seen.add(current)

    def _redirect_target(
        self, current: httpx.URL, location: str, seen: set[httpx.URL], hops: int
    ) -> httpx.URL:
        try:
            target = _checked_url(current.join(location.strip()), "bad_redirect").copy_with(fragment=None)
        except httpx.InvalidURL:
            raise _Failure("bad_redirect", "redirect Location is not a valid URL") from None
        if target in seen:
            raise _Failure("redirect_loop", f"redirect loop back to {_redacted(target)}")
        if hops > self.limits.max_redirects:
            raise _Failure("too_many_redirects", f"more than {self.limits.max_redirects} redirects")
        return target

    async def _with_retries(self, url: httpx.URL, trail: _Trail) -> _Response:
        limits = self.limits
        for retry in range(limits.max_retries + 1):
            trail.attempts += 1
            last_try = retry == limits.max_retries
            try:
                response = await self._attempt(url)
            except _Failure as failure:
                if not failure.retryable or last_try:
                    raise
                await asyncio.sleep(self._backoff(retry))
                continue
            if response.status != 429 and response.status < 500:
                return response
            response.retry_after = _retry_after(response.header("retry-after"))
            wait = response.retry_after
            if wait is not None and wait > limits.max_retry_after:
                cap = limits.max_retry_after
                response.exhausted = (
                    f"HTTP {response.status}; Retry-After {wait:.0f} s is beyond the {cap:g} s cap"
                )
                return response
            if last_try:
                response.exhausted = f"HTTP {response.status} after {retry + 1} attempts"
                return response
            response.discard_body()
            await asyncio.sleep(wait if wait is not None else self._backoff(retry))
        raise AssertionError("unreachable: the last try always returns or raises")

    def _backoff(self, retry: int) -> float:
        # Jitter spreads the retries of many sources that failed together (one host going down).
        return min(self.limits.backoff_base * 2.0**retry, self.limits.max_retry_after) * random.uniform(
            0.5, 1.0
        )

    async def _attempt(self, url: httpx.URL) -> _Response:
        """One request, bounded by the total timeout (which starts once the request is admitted)."""
        response: _Response | None = None
        async with self._gates.admit(url.host):
            request = self._client.build_request("GET", url)
            try:
                async with asyncio.timeout(self.limits.total_timeout):
                    raw = await self._client.send(request, stream=True)
                    try:
                        response = _describe(request, raw)
                        if not (raw.status_code in REDIRECT_STATUSES and "location" in raw.headers):
                            await self._save_body(raw, response)
                    finally:
                        await raw.aclose()
                return response
            except _Failure as failure:
                failure.response = response
                raise
            except TimeoutError as exc:  # asyncio.timeout: the whole attempt took too long
                message = f"no complete response within {self.limits.total_timeout:g} s"
                raise _Failure("timeout", message, response=response) from exc
            except (httpx.HTTPError, AddressGuardError, OSError) as exc:
                found = diagnose(exc)
                raise _Failure(
                    found.kind, found.message, retryable=found.retryable, response=response
                ) from exc

    async def _save_body(self, raw: httpx.Response, response: _Response) -> None:
        """Stream the raw payload to a temp file under the size cap; a failed body leaves no file behind."""
        cap = self.limits.max_bytes
        declared = raw.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _Failure("too_large", f"Content-Length {declared} is over the {cap} byte cap")
        descriptor, name = tempfile.mkstemp(dir=self._temp_dir, prefix="fetch-", suffix=".payload")
        path = Path(name)
        digest = hashlib.sha256()
        length = 0
        try:
            # Plain blocking writes: chunks are at most 64 KiB and land in the page cache, which costs less
            # than a hop to a worker thread per chunk.
            with os.fdopen(descriptor, "wb") as out:
                async for chunk in raw.aiter_raw():
                    length += len(chunk)
                    if length > cap:
                        raise _Failure("too_large", f"body is over the {cap} byte cap")
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        response.body_path, response.body_length, response.payload_sha256 = path, length, digest.hexdigest()


def _describe(request: httpx.Request, raw: httpx.Response) -> _Response:
    stream = raw.extensions.get("network_stream")
    return _Response(
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


def _checked_url(url: str | httpx.URL, kind: ErrorKind) -> httpx.URL:
    what = "redirect Location" if kind == "bad_redirect" else "URL"
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise _Failure(kind, f"{what} is not a valid URL") from None
    if parsed.scheme not in ("http", "https"):
        raise _Failure(kind, f"{what} is not http(s) (scheme {parsed.scheme!r})")
    if not parsed.host:
        raise _Failure(kind, f"{what} has no host")
    if parsed.userinfo:
        raise _Failure(kind, f"{what} carries credentials: {_redacted(parsed)}")
    return parsed


def _retry_after(value: str | None) -> float | None:
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


def _redacted(url: httpx.URL) -> str:
    if url.userinfo:
        url = url.copy_with(username=None, password=None)
    return str(url)


def _one_line(message: str) -> str:
    line = " ".join(message.split())
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 1] + "…"
