"""The fetcher: one shared httpx client, bounded in every direction, that turns every outcome into data.

A source that times out, resets, loops or points at the intranet is a fact about that source, so
``Fetcher.fetch`` returns a ``FetchResult`` for it instead of raising. The result carries what a WARC
request/response pair needs (the request headers as sent, the status line, the raw response headers and the
payload exactly as it came off the wire, de-chunked but still content-encoded).

Redirects are followed here rather than by httpx so each hop is recorded, capped and checked: a Location
must be http(s) and carry no credentials. The address guard underneath checks every connection of every hop.

This module is the retry and redirect loop; its parts live beside it: the data types in ``fetch_types``,
reading one response under the size cap in ``fetch_response``, the per-hop URL checks in ``redirects`` and
the concurrency gates in ``host_gates``.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from types import TracebackType
from typing import Self

import httpcore
import httpx

from factledger import __version__
from factledger.archive.errors import AddressGuardError, ErrorKind, diagnose
from factledger.archive.fetch_response import (
    FetchFailure,
    Response,
    describe_response,
    retry_after_seconds,
    save_body,
)
from factledger.archive.fetch_types import FetchLimits, FetchResult, MiB, RedirectHop
from factledger.archive.guard import AddressPolicy, GuardedTransport, Resolver
from factledger.archive.host_gates import HostGates
from factledger.archive.redirects import REDIRECT_STATUSES, checked_url, redacted, redirect_target

__all__ = ["DEFAULT_USER_AGENT", "ErrorKind", "FetchLimits", "FetchResult", "Fetcher", "MiB", "RedirectHop"]

DEFAULT_USER_AGENT = f"factledger/{__version__} (+https://github.com/factledger)"
# Only encodings the extractor can undo with the standard library; the payload is stored still encoded.
ACCEPT_ENCODING = "gzip, deflate"
ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"
_MAX_MESSAGE = 300


@dataclass(slots=True)
class _Trail:
    url: httpx.URL | None = None
    attempts: int = 0
    redirects: list[RedirectHop] = field(default_factory=list)


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
        self._gates = HostGates(self.limits)
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
        response: Response | None
        try:
            response = await self._follow(url, trail)
            kind: ErrorKind | None = None if response.exhausted is None else "http_status"
            message = response.exhausted
        except FetchFailure as failure:
            response, kind, message = failure.response, failure.kind, failure.message
        final_url = response.url if response is not None else trail.url
        return FetchResult(
            requested_url=url,
            final_url=redacted(final_url) if final_url is not None else url,
            status=response.status if response else None,
            reason=response.reason if response else None,
            http_version=response.http_version if response else None,
            method="GET",
            request_headers=response.request_headers if response else [],
            response_headers=response.response_headers if response else [],
            redirects=trail.redirects,
            body=response.body if response else None,
            peer_ip=response.peer_ip if response else None,
            content_type=response.header("content-type") if response else None,
            started_at=started_at,
            duration_ms=round((time.monotonic() - clock) * 1000),
            attempts=trail.attempts,
            error_kind=kind,
            error_message=_one_line(message) if message is not None else None,
            retry_after=response.retry_after if response else None,
        )

    async def _follow(self, url: str, trail: _Trail) -> Response:
        # Fragments never reach the server, so they are no part of the URLs requested and recorded.
        current = checked_url(url, "bad_url").copy_with(fragment=None)
        seen = {current}
        while True:
            trail.url = current
            response = await self._with_retries(current, trail)
            location = response.header("location")
            if response.status not in REDIRECT_STATUSES or location is None:
                return response
            trail.redirects.append(RedirectHop(redacted(current), response.status, location))
            try:
                current = redirect_target(
                    current, location, seen, len(trail.redirects), self.limits.max_redirects
                )
            except FetchFailure as failure:
                failure.response = response
                raise
            seen.add(current)

    async def _with_retries(self, url: httpx.URL, trail: _Trail) -> Response:
        limits = self.limits
        for retry in range(limits.max_retries + 1):
            trail.attempts += 1
            last_try = retry == limits.max_retries
            try:
                response = await self._attempt(url)
            except FetchFailure as failure:
                if not failure.retryable or last_try:
                    raise
                await asyncio.sleep(self._backoff(retry))
                continue
            if response.status != 429 and response.status < 500:
                return response
            response.retry_after = retry_after_seconds(response.header("retry-after"))
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

    async def _attempt(self, url: httpx.URL) -> Response:
        """One request, bounded by the total timeout (which starts once the request is admitted)."""
        response: Response | None = None
        async with self._gates.admit(url.host):
            request = self._client.build_request("GET", url)
            try:
                async with asyncio.timeout(self.limits.total_timeout):
                    raw = await self._client.send(request, stream=True)
                    try:
                        response = describe_response(request, raw)
                        if not (raw.status_code in REDIRECT_STATUSES and "location" in raw.headers):
                            await save_body(
                                raw,
                                response,
                                cap=self.limits.max_bytes,
                                in_memory=self.limits.body_memory_bytes,
                                temp_dir=self._temp_dir,
                            )
                    finally:
                        await raw.aclose()
                return response
            except FetchFailure as failure:
                failure.response = response
                raise
            except TimeoutError as exc:  # asyncio.timeout: the whole attempt took too long
                message = f"no complete response within {self.limits.total_timeout:g} s"
                raise FetchFailure("timeout", message, response=response) from exc
            except (httpx.HTTPError, AddressGuardError, OSError) as exc:
                found = diagnose(exc)
                raise FetchFailure(
                    found.kind, found.message, retryable=found.retryable, response=response
                ) from exc


def _one_line(message: str) -> str:
    line = " ".join(message.split())
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 1] + "…"
