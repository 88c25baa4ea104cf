"""How a fetch can fail: the guard's exceptions, the error kinds a FetchResult records, and the mapping
from what httpx/httpcore raise to those kinds.

The guard's exceptions deliberately do not subclass httpcore's: httpx maps every httpcore exception to a
generic httpx one (a refusal would arrive as a plain ``httpx.ConnectError``, and httpcore's own connect
retries would retry it). An exception httpx does not know passes through it untouched, so a refusal is told
from a network failure by type alone.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Literal

import httpx

ErrorKind = Literal[
    "blocked",  # the address guard refused the destination
    "timeout",
    "too_large",
    "dns",
    "connect",  # could not connect, or the connection broke (refused, reset)
    "tls",
    "protocol",  # the server spoke broken HTTP (including oversized headers)
    "redirect_loop",
    "too_many_redirects",
    "bad_redirect",  # a Location that is not http(s), carries credentials or cannot be parsed
    "http_status",  # 429/5xx still failing after the retries
    "bad_url",  # the URL asked for is not an http(s) URL the fetcher may use
]


class AddressGuardError(Exception):
    """A connection the guard would not (or could not) make."""


class BlockedAddressError(AddressGuardError):
    """The host resolves to, or the connection reached, an address the policy refuses."""

    def __init__(self, host: str, ip: str, reason: str) -> None:
        self.host = host
        self.ip = ip
        self.reason = reason
        target = host if host == ip else f"{host} ({ip})"
        super().__init__(f"refused to connect to {target}: {reason}")


class ResolutionError(AddressGuardError):
    """The host name could not be resolved.

    ``transient`` is true for failures a later attempt may not see (EAI_AGAIN: the resolver is busy or
    unreachable), false for answers such as "no such name".
    """

    def __init__(self, host: str, detail: str, *, transient: bool) -> None:
        self.host = host
        self.transient = transient
        super().__init__(f"cannot resolve {host}: {detail}")


@dataclass(frozen=True, slots=True)
class Diagnosis:
    kind: ErrorKind
    message: str
    retryable: bool  # could another attempt go differently?


def diagnose(exc: BaseException) -> Diagnosis:
    """Name what went wrong in one request, from the exception the client raised."""
    if isinstance(exc, BlockedAddressError):
        return Diagnosis("blocked", str(exc), retryable=False)
    if isinstance(exc, ResolutionError):
        return Diagnosis("dns", str(exc), retryable=exc.transient)
    if isinstance(exc, httpx.ConnectTimeout):
        return Diagnosis("timeout", "timed out connecting", retryable=True)
    if isinstance(exc, httpx.TimeoutException):
        # A server that goes silent mid-response will most likely do it again.
        return Diagnosis("timeout", "the server stopped sending (read timeout)", retryable=False)
    tls_error = _tls_cause(exc)
    if tls_error is not None:
        detail = getattr(tls_error, "verify_message", None) or tls_error.reason or str(tls_error)
        return Diagnosis("tls", f"TLS failed: {detail}", retryable=False)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return Diagnosis("bad_url", str(exc), retryable=False)
    if isinstance(exc, httpx.ProtocolError):
        detail = str(exc)
        if "Receive buffer too long" in detail:  # h11's words for a header block over its limit
            detail = "response headers too large"
        return Diagnosis("protocol", f"malformed HTTP response: {detail}", retryable=False)
    if isinstance(exc, httpx.ConnectError):
        return Diagnosis("connect", f"cannot connect: {_innermost_message(exc)}", retryable=True)
    # ReadError, WriteError, resets: the connection broke; a new one may not.
    return Diagnosis("connect", f"connection broken: {_innermost_message(exc)}", retryable=True)


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _tls_cause(exc: BaseException) -> ssl.SSLError | None:
    return next((cause for cause in _causes(exc) if isinstance(cause, ssl.SSLError)), None)


def _innermost_message(exc: BaseException) -> str:
    """httpx often wraps a bare anyio error around the one that says what happened (ECONNRESET...)."""
    for cause in reversed(_causes(exc)):
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        if str(cause):
            return str(cause)
    return type(exc).__name__
