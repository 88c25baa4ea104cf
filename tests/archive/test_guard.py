"""The address guard: which addresses are refused, and what GuardedNetworkBackend does before connecting.

The backend tests use a fake inner backend that never opens a socket, so they can use public addresses.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable
from ipaddress import IPv4Network, ip_address
from typing import Any

import httpcore
import pytest

from factledger.archive.errors import BlockedAddressError, ResolutionError
from factledger.archive.guard import AddressPolicy, GuardedNetworkBackend, is_forbidden_address
from tests.archive_servers import FakeResolver

pytestmark = pytest.mark.unit

FORBIDDEN = [
    ("0.0.0.0", "unspecified"),
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("100.64.0.1", "shared address space"),
    ("169.254.169.254", "link-local"),
    ("192.0.0.170", "reserved"),
    ("192.0.2.1", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("224.0.0.251", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("fec0::1", "private"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("100::1", "reserved"),
    ("64:ff9b:1::1", "reserved"),
    # IPv4 hidden inside IPv6: judged by the embedded address
    ("::ffff:127.0.0.1", "loopback (IPv4-mapped"),
    ("::ffff:169.254.169.254", "link-local (IPv4-mapped"),
    ("::ffff:10.0.0.1", "private (IPv4-mapped"),
    ("::ffff:0:127.0.0.1", "loopback (IPv4-translated"),
    ("::127.0.0.1", "loopback (IPv4-compatible"),
    ("::8.8.8.8", "reserved (IPv4-compatible)"),
    ("64:ff9b::10.0.0.1", "private (NAT64"),
    ("64:ff9b::169.254.169.254", "link-local (NAT64"),
    ("2002:7f00:1::1", "loopback (6to4"),
    ("2002:a9fe:a9fe::1", "link-local (6to4"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "documentation (Teredo"),  # client 192.0.2.45
]

ALLOWED = [
    "8.8.8.8",
    "93.184.216.34",
    "1.1.1.1",
    "172.32.0.1",  # just outside 172.16.0.0/12
    "100.128.0.1",  # just outside the shared address space
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",  # reaches 8.8.8.8 and nothing else
    "64:ff9b::8.8.8.8",  # NAT64 to a public host is how v6-only networks reach v4
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize(("address", "reason"), FORBIDDEN)
def test_forbidden_addresses_name_their_reason(address: str, reason: str) -> None:
    found = is_forbidden_address(ip_address(address))
    assert found is not None, address
    assert found.startswith(reason), (address, found)


@pytest.mark.parametrize("address", ALLOWED)
def test_global_addresses_are_allowed(address: str) -> None:
    assert is_forbidden_address(ip_address(address)) is None


def test_teredo_is_refused_even_with_a_public_client() -> None:
    # Teredo is dead; a Teredo destination is far likelier to be a trick than a web site.
    teredo_public = "2001:0:4136:e378:8000:63bf:f7f7:f7f7"  # client 8.8.8.8
    assert is_forbidden_address(ip_address(teredo_public)) == "reserved (Teredo)"


def test_policy_allow_private_lifts_everything() -> None:
    policy = AddressPolicy(allow_private=True)
    assert all(policy.refusal(ip_address(address)) is None for address, _ in FORBIDDEN)


def test_policy_allowed_networks_lifts_only_those() -> None:
    policy = AddressPolicy(allowed_networks=(IPv4Network("10.1.0.0/16"),))
    assert policy.refusal(ip_address("10.1.2.3")) is None
    assert policy.refusal(ip_address("10.2.0.1")) == "private"
    assert policy.refusal(ip_address("127.0.0.1")) == "loopback"


# ---------------------------------------------------------------------------------------------------------
# GuardedNetworkBackend, over a fake inner backend that never touches the network


class FakeStream(httpcore.AsyncNetworkStream):
    def __init__(self, peer: tuple[str, int] | None) -> None:
        self.peer = peer
        self.closed = False
        self.tls_hostname: str | None = None

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        return None

    async def aclose(self) -> None:
        self.closed = True

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        self.tls_hostname = server_hostname
        raise httpcore.ConnectError("fake TLS stops here")

    def get_extra_info(self, info: str) -> Any:
        return self.peer if info == "server_addr" else None


class FakeBackend(httpcore.AsyncNetworkBackend):
    """Pretends to connect; ``peer`` overrides the address the stream reports (a lying inner backend)."""

    def __init__(self, peer: tuple[str, int] | None = None, refuse: Iterable[str] = ()) -> None:
        self.calls: list[str] = []
        self.streams: list[FakeStream] = []
        self._peer = peer
        self._refuse = set(refuse)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.calls.append(host)
        if host in self._refuse:
            raise httpcore.ConnectError("connection refused")
        stream = FakeStream(self._peer if self._peer is not None else (host, port))
        self.streams.append(stream)
        return stream

    async def sleep(self, seconds: float) -> None:
        return None


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def guarded(inner: FakeBackend, resolver: FakeResolver | None = None, **policy: Any) -> GuardedNetworkBackend:
    return GuardedNetworkBackend(AddressPolicy(**policy), resolver or FakeResolver(), inner)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("host", "ip", "reason"),
    [
        ("evil.test", "127.0.0.1", "loopback"),
        ("metadata.test", "169.254.169.254", "link-local"),
        ("intranet.test", "10.0.0.1", "private"),
        ("mapped.test", "::ffff:127.0.0.1", "loopback (IPv4-mapped"),
        ("127.0.0.1", "127.0.0.1", "loopback"),
        ("[::1]", "::1", "loopback"),
    ],
)
async def test_refuses_before_connecting(host: str, ip: str, reason: str) -> None:
    inner = FakeBackend()
    with pytest.raises(BlockedAddressError) as caught:
        await guarded(inner).connect_tcp(host, 80)
    assert ip_address(caught.value.ip) == ip_address(ip)
    assert caught.value.reason.startswith(reason)
    assert inner.calls == []


@pytest.mark.anyio
async def test_one_forbidden_answer_refuses_the_name() -> None:
    inner = FakeBackend()
    with pytest.raises(BlockedAddressError, match=r"10\.0\.0\.1"):
        await guarded(inner).connect_tcp("mixed.test", 80)  # 93.184.216.34 first, then 10.0.0.1
    assert inner.calls == []


@pytest.mark.anyio
async def test_connects_to_the_checked_ip_not_the_name() -> None:
    inner = FakeBackend()
    resolver = FakeResolver()
    stream = await guarded(inner, resolver).connect_tcp("public.test", 443)
    assert inner.calls == ["93.184.216.34"]  # the name is never resolved a second time
    assert resolver.lookups == ["public.test"]
    assert stream.get_extra_info("server_addr") == ("93.184.216.34", 443)


@pytest.mark.anyio
async def test_ip_literals_skip_the_resolver() -> None:
    resolver = FakeResolver()
    await guarded(FakeBackend(), resolver).connect_tcp("93.184.216.34", 80)
    assert resolver.lookups == []


@pytest.mark.anyio
async def test_the_connected_peer_is_checked_again() -> None:
    inner = FakeBackend(peer=("127.0.0.1", 80))  # asked for a public address, reached loopback
    with pytest.raises(BlockedAddressError, match="loopback"):
        await guarded(inner).connect_tcp("public.test", 80)
    assert inner.streams[0].closed


@pytest.mark.anyio
async def test_an_unknown_peer_is_refused() -> None:
    inner = FakeBackend()

    class Silent(FakeStream):
        def get_extra_info(self, info: str) -> Any:
            return None

    async def connect(*args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        return Silent(None)

    inner.connect_tcp = connect  # type: ignore[method-assign]
    with pytest.raises(BlockedAddressError, match="peer address unknown"):
        await guarded(inner).connect_tcp("public.test", 80)


@pytest.mark.anyio
async def test_falls_back_to_the_next_address() -> None:
    resolver = FakeResolver({"two.test": ["93.184.216.34", "93.184.216.35"]})
    inner = FakeBackend(refuse={"93.184.216.34"})
    await guarded(inner, resolver).connect_tcp("two.test", 80)
    assert inner.calls == ["93.184.216.34", "93.184.216.35"]


@pytest.mark.anyio
async def test_resolution_failures_say_whether_to_retry() -> None:
    class Busy(FakeResolver):
        async def resolve(self, host: str, port: int) -> list[str]:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    with pytest.raises(ResolutionError) as missing:
        await guarded(FakeBackend()).connect_tcp("nowhere.test", 80)
    assert not missing.value.transient
    with pytest.raises(ResolutionError) as busy:
        await guarded(FakeBackend(), Busy()).connect_tcp("nowhere.test", 80)
    assert busy.value.transient


@pytest.mark.anyio
async def test_unix_sockets_are_refused() -> None:
    with pytest.raises(BlockedAddressError, match="unix socket"):
        await guarded(FakeBackend(), allow_private=True).connect_unix_socket("/run/docker.sock")


@pytest.mark.anyio
async def test_tls_verifies_the_host_name_while_the_socket_uses_the_ip() -> None:
    # httpcore passes the URL's host to start_tls, whatever connect_tcp was given: certificate checks and
    # SNI keep working although the guard connects by address.
    inner = FakeBackend()
    async with httpcore.AsyncConnectionPool(network_backend=guarded(inner)) as pool:
        with pytest.raises(httpcore.ConnectError, match="fake TLS"):
            await pool.request("GET", "https://public.test/")
    assert inner.calls == ["93.184.216.34"]
    assert inner.streams[0].tls_hostname == "public.test"


def test_a_steady_stream_answers_is_readable_with_or_without_httpcores_private_helper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from factledger.archive import guard

    ours, theirs = socket.socketpair()

    class Inner:
        def get_extra_info(self, info: str) -> object:
            return {"socket": ours, "is_readable": "the inner stream's answer"}.get(info)

    try:
        stream = guard._SteadyStream(Inner())  # type: ignore[arg-type]
        assert stream.get_extra_info("is_readable") is False  # httpcore's check on the kept socket
        theirs.sendall(b"x")  # an idle connection the server wrote to (or closed) must not be reused
        assert stream.get_extra_info("is_readable") is True
        monkeypatch.setattr(guard, "_is_socket_readable", None)  # a release that moved the helper
        assert stream.get_extra_info("is_readable") == "the inner stream's answer"
    finally:
        ours.close()
        theirs.close()
