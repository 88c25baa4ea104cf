"""Exceptions raised below the fetcher, by the address guard.

They deliberately do not subclass httpcore's exceptions: httpx maps every httpcore exception to a generic
httpx one (a refusal would arrive as a plain ``httpx.ConnectError``, and httpcore's own connect retries would
retry it). An exception httpx does not know passes through it untouched, so the fetcher can tell a refusal
from a network failure by type alone.
"""

from __future__ import annotations


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
