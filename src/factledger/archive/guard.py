"""The address guard: the fetcher may only talk to globally routable addresses.

A fact-checker archives URLs that strangers wrote, so every fetch is a server-side request forgery waiting to
happen: a link (or a redirect, or a DNS answer) pointing at 127.0.0.1, the office network or the cloud metadata
service at 169.254.169.254. The guard sits where httpcore opens TCP connections, so it sees every connection
of every hop, whatever URL or redirect led there:

1. it resolves the name itself and refuses the name when any answer is forbidden;
2. it hands the inner backend the checked IP literal, never the name, so a second DNS answer (rebinding)
   cannot slip in between check and connect;
3. it checks the peer address of the connected socket once more before any byte is written.

TLS still verifies the *name*: httpcore calls ``start_tls(server_hostname=...)`` with the request URL's host
(or the ``sni_hostname`` extension), not with the host passed to ``connect_tcp``.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from types import TracebackType
from typing import Protocol, Self

import httpcore
import httpx

try:
    # httpcore's own readability check, called on the socket the stream keeps. It is a private helper
    # of an unpinned dependency: should a release move it, streams ask their inner stream instead,
    # which answers the same through one more lookup.
    from httpcore._utils import is_socket_readable as _is_socket_readable
except ImportError:  # pragma: no cover - depends on the installed httpcore
    _is_socket_readable = None  # type: ignore[assignment]

from factledger.archive.errors import BlockedAddressError, ResolutionError

IPAddress = IPv4Address | IPv6Address

# Explicit tables rather than ipaddress's is_private/is_global: those flags changed between Python releases
# (3.11 still calls 100.64.0.0/10 neither private nor global, and 64:ff9b::10.0.0.1 global), and a table
# also gives the reason a user will read. More specific networks come first.
_IPV4_REASONS: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(network), reason)
    for network, reason in (
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared address space"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),  # IETF protocol assignments
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "reserved"),  # deprecated 6to4 relay anycast
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
)

_IPV6_REASONS: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(network), reason)
    for network, reason in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("64:ff9b:1::/48", "reserved"),  # local-use NAT64 (RFC 8215)
        ("100::/64", "reserved"),  # discard-only
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("fc00::/7", "private"),  # unique local
        ("fe80::/10", "link-local"),
        ("fec0::/10", "private"),  # deprecated site-local
        ("ff00::/8", "multicast"),
    )
)

# IPv6 forms that carry an IPv4 address inside them. A v6 socket to one of these can reach the embedded v4
# host (mapped and compatible forms on the local stack, NAT64 and 6to4 through a gateway), so the embedded
# address is judged as if it had been given directly.
_MAPPED = IPv6Network("::ffff:0:0/96")
_TRANSLATED = IPv6Network("::ffff:0:0:0/96")
_COMPATIBLE = IPv6Network("::/96")
_NAT64 = IPv6Network("64:ff9b::/96")
_SIXTOFOUR = IPv6Network("2002::/16")
_TEREDO = IPv6Network("2001::/32")


def is_forbidden_address(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a globally routable destination, or None when it is."""
    if isinstance(ip, IPv4Address):
        for network, reason in _IPV4_REASONS:
            if ip in network:
                return reason
        return None if ip.is_global else "reserved"
    if ip.scope_id:  # "fe80::1%eth0": a zone only makes sense for link-local addresses
        return "link-local"
    for network6, reason in _IPV6_REASONS:
        if ip in network6:
            return reason
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        form, inner = embedded
        inner_reason = is_forbidden_address(inner)
        if inner_reason is not None:
            return f"{inner_reason} ({form} form of {inner})"
        # Mapped (the local v4 stack), NAT64 and 6to4 are real ways to reach a public v4 host; the other
        # forms are deprecated and have no business in a DNS answer.
        return None if form in ("IPv4-mapped", "NAT64", "6to4") else f"reserved ({form})"
    return None if ip.is_global else "reserved"


def _embedded_ipv4(ip: IPv6Address) -> tuple[str, IPv4Address] | None:
    low32 = IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _MAPPED:
        return "IPv4-mapped", low32
    if ip in _TRANSLATED:
        return "IPv4-translated", low32
    if ip in _COMPATIBLE:
        return "IPv4-compatible", low32
    if ip in _NAT64:
        return "NAT64", low32
    if ip in _SIXTOFOUR and ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    if ip in _TEREDO and ip.teredo is not None:
        return "Teredo", ip.teredo[1]  # the client address, already de-obfuscated
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which destinations the fetcher may connect to.

    ``allow_private`` lifts every refusal: it is meant for intranets and tests, where the operator has chosen
    to let the archiver reach local machines. ``allowed_networks`` lifts it for named networks only (one
    intranet range, or one test server), leaving the rest of the guard in place.
    """

    allow_private: bool = False
    allowed_networks: tuple[IPv4Network | IPv6Network, ...] = ()

    def refusal(self, ip: IPAddress) -> str | None:
        """The reason to refuse ``ip``, or None to allow it."""
        if self.allow_private or any(ip in network for network in self.allowed_networks):
            return None
        return is_forbidden_address(ip)


class Resolver(Protocol):
    """Turns a host name into IP address strings. Raises OSError (socket.gaierror) when it cannot."""

    async def resolve(self, host: str, port: int) -> list[str]: ...


class SystemResolver:
    """The operating system's resolver, through the event loop's thread pool."""

    async def resolve(self, host: str, port: int) -> list[str]:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


# A host with a dozen A records should not cost a dozen connect timeouts.
_MAX_ADDRESSES_TRIED = 4


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that only connects to addresses the policy allows."""

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolver = resolver if resolver is not None else SystemResolver()
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        name = host.strip("[]")
        # One deadline for lookup and every address tried, so `timeout` keeps meaning "connect timeout".
        deadline = None if timeout is None else time.monotonic() + timeout
        addresses = await self._addresses(name, port, timeout)
        # Refuse the whole name when any answer is forbidden: mixing a public and a private answer is how
        # rebinding attacks start, and no honest public site needs it.
        for ip in addresses:
            reason = self._policy.refusal(ip)
            if reason is not None:
                raise BlockedAddressError(name, str(ip), reason)
        failure: Exception | None = None
        for ip in addresses[:_MAX_ADDRESSES_TRIED]:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise httpcore.ConnectTimeout(f"connecting to {name} timed out")
            try:
                stream = await self._inner.connect_tcp(
                    str(ip),
                    port,
                    timeout=remaining,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            await self._check_peer(name, stream)
            return _SteadyStream(stream)
        assert failure is not None  # the loop ran at least once: _addresses never returns an empty list
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # A local socket is a local service by definition; the fetcher never configures one.
        raise BlockedAddressError(path, path, "unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)

    async def _addresses(self, name: str, port: int, timeout: float | None) -> list[IPAddress]:
        try:
            return [ip_address(name)]  # an IP literal is checked as given, with no lookup
        except ValueError:
            pass
        try:
            async with asyncio.timeout(timeout):
                answers = await self._resolver.resolve(name, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"DNS lookup for {name} timed out") from None
        except socket.gaierror as exc:
            detail = exc.strerror or str(exc)
            raise ResolutionError(name, detail, transient=exc.errno == socket.EAI_AGAIN) from exc
        except OSError as exc:
            raise ResolutionError(name, exc.strerror or str(exc), transient=True) from exc
        addresses: list[IPAddress] = []
        for answer in answers:
            try:
                addresses.append(ip_address(answer))
            except ValueError:
                raise ResolutionError(name, f"resolver returned {answer!r}", transient=False) from None
        if not addresses:
            raise ResolutionError(name, "no addresses", transient=False)
        return addresses

    async def _check_peer(self, name: str, stream: httpcore.AsyncNetworkStream) -> None:
        """Check the address the socket actually reached, in case the inner backend went somewhere else."""
        if self._policy.allow_private:
            return
        peer = _peer_address(stream)
        reason = "peer address unknown" if peer is None else self._policy.refusal(peer)
        if reason is not None:
            await stream.aclose()
            raise BlockedAddressError(name, str(peer), reason)


class _SteadyStream(httpcore.AsyncNetworkStream):
    """A connected stream whose socket and peer address are looked up once, not on every question.

    httpcore asks every idle connection of the pool whether it has expired each time it hands out a
    request or takes one back, and the answer (``is_readable``) went through anyio's ``extra()``, which
    builds all of a socket's attributes, a ``getpeername`` system call among them, to return one. With
    a few dozen connections that was a fifth of the event loop's time. The socket and the address it is
    connected to never change, so they are kept; readability is still asked of the socket each time.
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket = inner.get_extra_info("socket")
        self._server_addr = inner.get_extra_info("server_addr")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _SteadyStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> object:
        if self._socket is not None:
            if info == "is_readable" and _is_socket_readable is not None:
                return _is_socket_readable(self._socket)
            if info == "socket":
                return self._socket
        if info == "server_addr" and self._server_addr is not None:
            return self._server_addr
        return self._inner.get_extra_info(info)


def _peer_address(stream: httpcore.AsyncNetworkStream) -> IPAddress | None:
    address = stream.get_extra_info("server_addr")
    if address is None:
        sock = stream.get_extra_info("socket")
        if sock is None:
            return None
        address = sock.getpeername()
    try:
        return ip_address(address[0])
    except (ValueError, TypeError, IndexError):
        return None


def peer_ip(stream: httpcore.AsyncNetworkStream | None) -> str | None:
    """The IP a connection is talking to, for the record (None when the stream cannot tell)."""
    if stream is None:
        return None
    address = _peer_address(stream)
    return None if address is None else str(address)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's HTTP/1.1 transport on a connection pool whose every connection goes through the guard."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,  # default: verification on, certifi's roots
        max_connections: int = 100,
    ) -> None:
        context = ssl_context if ssl_context is not None else httpx.create_ssl_context()
        super().__init__(verify=context, trust_env=False, retries=0)
        # httpx 0.28 takes no network backend, so replace the pool it built (no socket is open yet).
        # Reading self._pool first makes an httpx that renamed it fail here, loudly, rather than
        # leaving requests to a pool without the guard.
        if not isinstance(self._pool, httpcore.AsyncConnectionPool):
            raise RuntimeError("unexpected httpx transport internals; refusing to run unguarded")
        backend = GuardedNetworkBackend(policy, resolver, inner)

        def new_pool() -> httpcore.AsyncConnectionPool:
            return httpcore.AsyncConnectionPool(
                ssl_context=context,
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                keepalive_expiry=5.0,
                retries=0,  # retries belong to the fetcher, which counts and spaces them
                network_backend=backend,
            )

        # Duck-typed: httpx only calls handle_async_request, aclose and the context manager methods.
        self._pool = PoolPerOrigin(new_pool, max_connections)  # type: ignore[assignment]


@dataclass(slots=True)
class _OriginPool:
    pool: httpcore.AsyncConnectionPool
    in_use: int = 0  # requests sent and responses not yet closed


class PoolPerOrigin:
    """A connection pool per origin (scheme, host, port), at most ``max_connections`` open in all.

    httpcore's pool walks all of its connections, asking each idle one whether it has expired (a
    ``poll`` system call) and counting the idle ones again for each of them, every time it hands out a
    request and every time a response is closed: with one pool for every host that was a few dozen
    connections and most of the event loop's time. A pool per origin walks only that host's few. A
    connection only ever serves its own origin, so requests go to the same kind of connection as before;
    and as before at most ``max_connections`` stay open: past that, the pools least recently used that
    serve no request are closed.
    """

    def __init__(self, new_pool: Callable[[], httpcore.AsyncConnectionPool], max_connections: int) -> None:
        self._new_pool = new_pool
        self._max_connections = max_connections
        self._pools: OrderedDict[tuple[bytes, bytes, int | None], _OriginPool] = OrderedDict()

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port)
        entry = self._pools.get(origin)
        if entry is None:
            entry = self._pools[origin] = _OriginPool(self._new_pool())
        else:
            self._pools.move_to_end(origin)
        entry.in_use += 1
        try:
            await self._close_unused()
            response = await entry.pool.handle_async_request(request)
        except BaseException:
            entry.in_use -= 1
            raise
        assert isinstance(response.stream, AsyncIterable)
        return httpcore.Response(
            status=response.status,
            headers=response.headers,
            content=_Releasing(response.stream, entry, self._close_unused),
            extensions=response.extensions,
        )

    @property
    def origins(self) -> list[tuple[bytes, bytes, int | None]]:
        """The origins that have a pool, least recently used first."""
        return list(self._pools)

    async def _close_unused(self) -> None:
        """Close the least recently used pools without a request while more connections are open than
        allowed: before a request (whose own pool is in use, so it stays) and after each response."""
        open_connections = sum(len(entry.pool.connections) for entry in self._pools.values())
        if open_connections <= self._max_connections:
            return
        for origin, entry in list(self._pools.items()):
            if open_connections <= self._max_connections:
                break
            if entry.in_use == 0:
                del self._pools[origin]
                open_connections -= len(entry.pool.connections)
                await entry.pool.aclose()

    async def aclose(self) -> None:
        pools = list(self._pools.values())
        self._pools.clear()
        for entry in pools:
            await entry.pool.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()


class _Releasing:
    """A response body that gives its origin's pool back when it is closed (once)."""

    def __init__(
        self, stream: AsyncIterable[bytes], entry: _OriginPool, released: Callable[[], Awaitable[None]]
    ) -> None:
        self._stream = stream
        self._entry: _OriginPool | None = entry
        self._released = released

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            closing = getattr(self._stream, "aclose", None)
            if closing is not None:
                await closing()
        finally:
            if self._entry is not None:
                self._entry.in_use -= 1
                self._entry = None
                await self._released()
