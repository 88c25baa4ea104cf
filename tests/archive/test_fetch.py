"""The fetcher against real HTTP servers on loopback, including hostile ones.

Every fetch goes through the address guard and, under it, LoopbackOnlyBackend: a guard bug would make a test
fail with OffLoopbackConnectionError instead of sending a packet off the machine.

Normal fetching needs AddressPolicy(allow_private=True), since the servers live on 127.0.0.1. Refusal tests
keep private networks refused and, where a first hop must succeed, exempt only 127.0.0.2/32 and serve from
there, so "127.0.0.1", "10.0.0.1" and "169.254.169.254" are still refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from factledger import __version__
from factledger.archive.fetch import Fetcher, FetchLimits, FetchResult, MiB
from factledger.archive.guard import AddressPolicy
from tests.archive_servers import (
    FakeResolver,
    Handler,
    LocalServer,
    LoopbackOnlyBackend,
    ReceivedRequest,
    chunked,
    endless_chunked,
    gzip_bomb,
    huge_header,
    make_tls_files,
    redirect,
    reset_mid_body,
    respond,
    sequence,
    slow,
    trickle,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

LIMITS = FetchLimits(
    concurrency=8,
    per_host=4,
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=2.0,
    max_bytes=1 * MiB,
    max_redirects=5,
    max_retries=1,
    backoff_base=0.05,
    max_retry_after=2.0,
)
OPEN = AddressPolicy(allow_private=True)
ONLY_SECOND_LOOPBACK = AddressPolicy(allowed_networks=(IPv4Network("127.0.0.2/32"),))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Rig:
    fetcher: Fetcher
    backend: LoopbackOnlyBackend
    temp_dir: Path

    async def fetch(self, url: str) -> FetchResult:
        return await self.fetcher.fetch(url)

    def leftover_files(self) -> list[Path]:
        return sorted(self.temp_dir.iterdir())


@asynccontextmanager
async def rig(
    tmp_path: Path,
    *,
    limits: FetchLimits = LIMITS,
    policy: AddressPolicy = OPEN,
    resolver: FakeResolver | None = None,
    **options: object,
) -> AsyncIterator[Rig]:
    backend = LoopbackOnlyBackend()
    temp_dir = tmp_path / "payloads"
    async with Fetcher(
        limits,
        policy,
        temp_dir=temp_dir,
        resolver=resolver or FakeResolver(),
        network_backend=backend,
        **options,  # type: ignore[arg-type]
    ) as fetcher:
        yield Rig(fetcher, backend, temp_dir)


def header(result: FetchResult, name: str) -> str | None:
    return next((v for k, v in result.response_headers if k.lower() == name.lower()), None)


# ---------------------------------------------------------------------------------------------------------
# Ordinary fetching


async def test_a_page_is_recorded_completely(tmp_path: Path) -> None:
    body = b"<html><body><p>Hello</p></body></html>"
    page = respond(200, body, [("Content-Type", "text/html; charset=utf-8"), ("X-Custom-Case", "kept")])
    async with LocalServer({"/page": page}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/page?q=1"))

    assert result.ok
    assert result.error_kind is None
    assert result.error_message is None
    assert (result.status, result.reason, result.http_version) == (200, "OK", "HTTP/1.1")
    assert result.final_url == result.requested_url == server.url("/page?q=1")
    assert result.method == "GET"
    assert result.body is not None
    assert result.body.read() == body
    assert result.body_length == len(body)
    assert result.payload_sha256 == hashlib.sha256(body).hexdigest()
    assert result.peer_ip == "127.0.0.1"
    assert result.content_type == "text/html; charset=utf-8"
    assert ("X-Custom-Case", "kept") in result.response_headers  # raw case, as received
    assert result.attempts == 1
    assert result.redirects == []
    assert result.started_at.tzinfo is not None
    assert result.duration_ms >= 0
    sent = {k.lower(): v for k, v in result.request_headers}
    assert sent["host"] == f"127.0.0.1:{server.port}"
    assert sent["accept-encoding"] == "gzip, deflate"
    # what the result says was sent is what the server received
    assert [(k.lower(), v) for k, v in result.request_headers] == [
        (k.lower(), v) for k, v in server.requests[0].headers
    ]


async def test_the_user_agent_names_factledger_and_its_version(tmp_path: Path) -> None:
    async with LocalServer({"/": respond(200, b"ok")}) as server, rig(tmp_path) as r:
        await r.fetch(server.url("/"))
    agent = server.requests[0].header("User-Agent")
    assert agent is not None
    assert agent.startswith(f"factledger/{__version__} ")


async def test_a_small_body_is_held_in_memory_and_a_large_one_goes_to_a_scratch_file(tmp_path: Path) -> None:
    small = b"<p>short</p>" * 100
    large = bytes(range(256)) * ((LIMITS.body_memory_bytes + 50_000) // 256)  # over it, under the cap
    assert len(large) < LIMITS.max_bytes
    routes = {"/small": respond(200, small), "/large": respond(200, large)}
    async with LocalServer(routes) as server, rig(tmp_path) as r:
        held = await r.fetch(server.url("/small"))
        spilled = await r.fetch(server.url("/large"))
        assert held.body is not None
        assert spilled.body is not None
        assert (held.body.data, held.body.path) == (small, None)
        assert spilled.body.data is None
        assert r.leftover_files() == [spilled.body.path]
        assert spilled.body.read() == large
        assert (spilled.body_length, spilled.payload_sha256) == (
            len(large),
            hashlib.sha256(large).hexdigest(),
        )
        assert (held.body_length, held.payload_sha256) == (len(small), hashlib.sha256(small).hexdigest())
        spilled.body.discard()
        assert r.leftover_files() == []


async def test_a_non_utf8_page_without_charset_is_stored_byte_for_byte(tmp_path: Path) -> None:
    body = "<html><p>Ça coûte 5 €, señor</p></html>".encode("cp1252") + b"\x81\xff\x00"
    async with (
        LocalServer({"/": respond(200, body, [("Content-Type", "text/html")])}) as server,
        rig(tmp_path) as r,
    ):
        result = await r.fetch(server.url("/"))
    assert result.ok
    assert result.body is not None
    assert result.body.read() == body
    assert result.content_type == "text/html"


async def test_content_encoding_is_kept_and_transfer_encoding_dropped(tmp_path: Path) -> None:
    import gzip

    payload = gzip.compress(b"<p>" + b"compressible " * 2000 + b"</p>")
    parts = [payload[:100], payload[100:1000], payload[1000:]]
    route = chunked(parts, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
    async with LocalServer({"/": route}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    assert result.ok
    assert result.body is not None
    assert result.body.read() == payload  # de-chunked, still gzip
    assert header(result, "Content-Encoding") == "gzip"
    assert header(result, "Transfer-Encoding") is None


async def test_410_is_recorded_not_raised(tmp_path: Path) -> None:
    async with LocalServer({"/gone": respond(410, b"gone for good")}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/gone"))
    assert result.status == 410
    assert result.error_kind is None
    assert not result.ok
    assert result.attempts == 1
    assert result.body is not None
    assert result.body.read() == b"gone for good"


async def test_cookies_are_never_sent_back(tmp_path: Path) -> None:
    routes: dict[str, Handler] = {
        "/set": respond(302, b"", [("Set-Cookie", "session=secret; Path=/"), ("Location", "/check")]),
        "/check": respond(200, b"ok"),
    }
    async with LocalServer(routes) as server, rig(tmp_path) as r:
        await r.fetch(server.url("/set"))
        await r.fetch(server.url("/check"))
    assert all(request.header("Cookie") is None for request in server.requests)
    assert len(server.requests) == 3


async def test_proxy_variables_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://10.0.0.1:3128")
    async with LocalServer({"/": respond(200, b"direct")}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    assert result.ok
    assert r.backend.connected == ["127.0.0.1"]


# ---------------------------------------------------------------------------------------------------------
# Redirects


async def test_a_redirect_chain_is_recorded_hop_by_hop(tmp_path: Path) -> None:
    routes = {
        "/1": redirect("/2", 301),
        "/2": redirect("/3", 302),
        "/3": redirect("/final#fragment", 307),
        "/final": respond(200, b"arrived"),
    }
    async with LocalServer(routes) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/1"))
    assert result.ok
    assert result.final_url == server.url("/final")
    assert [(hop.url, hop.status, hop.location) for hop in result.redirects] == [
        (server.url("/1"), 301, "/2"),
        (server.url("/2"), 302, "/3"),
        (server.url("/3"), 307, "/final#fragment"),
    ]
    assert result.attempts == 4


async def test_a_redirect_loop_is_detected(tmp_path: Path) -> None:
    async with LocalServer({"/a": redirect("/b"), "/b": redirect("/a")}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/a"))
    assert result.error_kind == "redirect_loop"
    assert [hop.location for hop in result.redirects] == ["/b", "/a"]
    assert result.status == 302
    assert server.hits("/a") == 1


async def test_an_endless_chain_stops_at_the_redirect_cap(tmp_path: Path) -> None:
    async def onwards(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        n = int(request.target.split("=")[1])
        await redirect(f"/next?n={n + 1}")(request, writer)

    async with LocalServer({"/next": onwards}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/next?n=0"))
    assert result.error_kind == "too_many_redirects"
    assert len(result.redirects) == LIMITS.max_redirects + 1
    assert len(server.requests) == LIMITS.max_redirects + 1


@pytest.mark.parametrize(
    "location",
    [
        "ftp://files.example.org/evidence.pdf",
        "file:///etc/passwd",
        "gopher://x/",
        "http://user:hunter2@example.org/",
    ],
)
async def test_a_non_http_or_credential_location_is_a_bad_redirect(tmp_path: Path, location: str) -> None:
    async with LocalServer({"/": redirect(location)}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    assert result.error_kind == "bad_redirect"
    assert result.redirects[0].status == 302
    assert result.error_message is not None
    assert "hunter2" not in result.error_message
    assert r.backend.connected == ["127.0.0.1"]


# ---------------------------------------------------------------------------------------------------------
# The address guard, end to end. LoopbackOnlyBackend.connected lists every connection that was made.


async def test_loopback_is_refused_by_default(tmp_path: Path) -> None:
    async with (
        LocalServer({"/": respond(200, b"secret")}) as server,
        rig(tmp_path, policy=AddressPolicy()) as r,
    ):
        result = await r.fetch(server.url("/"))
    assert result.error_kind == "blocked"
    assert result.status is None
    assert result.error_message is not None
    assert "loopback" in result.error_message
    assert r.backend.connected == []
    assert server.requests == []


async def test_a_redirect_to_loopback_is_refused(tmp_path: Path) -> None:
    async with LocalServer({"/": respond(200, b"admin panel")}) as inside:
        routes = {"/": redirect(inside.url("/"))}
        async with (
            LocalServer(routes, host="127.0.0.2") as outside,
            rig(tmp_path, policy=ONLY_SECOND_LOOPBACK) as r,
        ):
            result = await r.fetch(outside.url("/"))
    assert result.error_kind == "blocked"
    assert result.error_message is not None
    assert "127.0.0.1: loopback" in result.error_message
    assert result.final_url == inside.url("/")
    assert result.redirects[0].location == inside.url("/")
    assert r.backend.connected == ["127.0.0.2"]
    assert inside.requests == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [("http://evil.test:{port}/", "loopback"), ("http://[::ffff:127.0.0.1]:{port}/", "loopback")],
)
async def test_a_name_or_mapped_address_for_loopback_is_refused(
    tmp_path: Path, url: str, reason: str
) -> None:
    async with (
        LocalServer({"/": respond(200, b"secret")}) as server,
        rig(tmp_path, policy=AddressPolicy()) as r,
    ):
        result = await r.fetch(url.format(port=server.port))
    assert result.error_kind == "blocked"
    assert result.error_message is not None
    assert reason in result.error_message
    assert r.backend.connected == []
    assert server.requests == []


async def test_the_same_name_is_fetched_when_private_networks_are_allowed(tmp_path: Path) -> None:
    async with LocalServer({"/": respond(200, b"intranet page")}) as server, rig(tmp_path) as r:
        result = await r.fetch(f"http://evil.test:{server.port}/")
    assert result.ok
    assert result.peer_ip == "127.0.0.1"
    assert server.requests[0].header("Host") == f"evil.test:{server.port}"
    assert r.backend.connected == ["127.0.0.1"]  # by address: the inner backend never sees a name


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://10.0.0.1/", "10.0.0.1: private"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254: link-local"),
        ("http://metadata.test/latest/meta-data/", "metadata.test (169.254.169.254): link-local"),
        ("http://intranet.test:8080/", "intranet.test (10.0.0.1): private"),
        ("http://mixed.test/", "mixed.test (10.0.0.1): private"),
        ("http://[::ffff:169.254.169.254]/", "link-local (IPv4-mapped"),
        ("http://2130706433/", "loopback"),  # 127.0.0.1 as one number, resolved by getaddrinfo's rules
    ],
)
async def test_a_redirect_to_a_private_address_is_refused_without_a_packet(
    tmp_path: Path, location: str, reason: str
) -> None:
    resolver = FakeResolver({"2130706433": ["127.0.0.1"]})
    async with (
        LocalServer({"/": redirect(location)}, host="127.0.0.2") as server,
        rig(tmp_path, policy=ONLY_SECOND_LOOPBACK, resolver=resolver) as r,
    ):
        result = await r.fetch(server.url("/"))
    assert result.error_kind == "blocked"
    assert result.error_message is not None
    assert reason in result.error_message
    assert r.backend.connected == ["127.0.0.2"]  # only the first hop was ever connected


@pytest.mark.parametrize("url", ["http://metadata.test/latest/meta-data/", "http://intranet.test/"])
async def test_a_name_for_a_private_address_is_refused(tmp_path: Path, url: str) -> None:
    async with rig(tmp_path, policy=AddressPolicy()) as r:
        result = await r.fetch(url)
    assert result.error_kind == "blocked"
    assert r.backend.connected == []


# ---------------------------------------------------------------------------------------------------------
# Hostile and broken servers: each ends as a recorded failure, quickly, with no payload file left behind


async def test_a_trickling_body_hits_the_total_timeout(tmp_path: Path) -> None:
    async with LocalServer({"/": trickle(interval=1.0)}) as server, rig(tmp_path) as r:
        started = time.monotonic()
        result = await r.fetch(server.url("/"))
        elapsed = time.monotonic() - started
    assert result.error_kind == "timeout"
    assert "2 s" in (result.error_message or "")
    assert result.status == 200  # the status line came; the body never finished
    assert LIMITS.total_timeout <= elapsed < LIMITS.total_timeout + 1.5
    assert result.attempts == 1
    assert result.body is None
    assert r.leftover_files() == []


async def test_an_endless_chunked_body_hits_the_size_cap(tmp_path: Path) -> None:
    async with LocalServer({"/": endless_chunked()}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    assert result.error_kind == "too_large"
    assert result.body is None
    assert r.leftover_files() == []


async def test_a_declared_oversize_body_is_refused_before_reading(tmp_path: Path) -> None:
    async def announce(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000000000\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(10)

    async with LocalServer({"/": announce}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    assert result.error_kind == "too_large"
    assert "Content-Length" in (result.error_message or "")
    assert result.duration_ms < 1000


async def test_a_gzip_bomb_is_stored_compressed(tmp_path: Path) -> None:
    bomb = gzip_bomb()  # 128 MiB of zeros in ~130 KB
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
    async with LocalServer({"/": respond(200, bomb, headers)}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    # The cap applies to bytes on the wire; undoing the encoding (with its own bound) is the extractor's job.
    assert result.ok
    assert result.body_length == len(bomb) < LIMITS.max_bytes
    assert result.body is not None
    assert result.body.read() == bomb
    assert header(result, "Content-Encoding") == "gzip"


async def test_a_200kb_response_header_is_a_protocol_error(tmp_path: Path) -> None:
    async with LocalServer({"/": huge_header()}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    assert result.error_kind == "protocol"
    assert result.status is None
    assert result.attempts == 1
    assert result.duration_ms < 1000


async def test_a_reset_mid_body_leaves_no_partial_file(tmp_path: Path) -> None:
    async with LocalServer({"/": reset_mid_body()}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    assert result.error_kind in ("connect", "protocol")
    assert result.body is None
    assert r.leftover_files() == []
    if result.error_kind == "connect":  # a broken connection is worth another try
        assert result.attempts == LIMITS.max_retries + 1


async def test_a_refused_connection_is_retried_then_recorded(tmp_path: Path) -> None:
    async with LocalServer({}) as server:
        url = server.url("/")  # the port is closed once the server stops
    async with rig(tmp_path) as r:
        result = await r.fetch(url)
    assert result.error_kind == "connect"
    assert result.attempts == LIMITS.max_retries + 1


async def test_an_unknown_name_is_a_dns_failure(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        result = await r.fetch("http://no-such-host.test/")
    assert result.error_kind == "dns"
    assert result.attempts == 1


@pytest.mark.parametrize("url", ["ftp://example.org/x", "http://user:hunter2@example.org/", "http:///nohost"])
async def test_an_unusable_url_is_refused_up_front(tmp_path: Path, url: str) -> None:
    async with rig(tmp_path) as r:
        result = await r.fetch(url)
    assert result.error_kind == "bad_url"
    assert r.backend.connected == []
    assert "hunter2" not in (result.error_message or "")


# ---------------------------------------------------------------------------------------------------------
# Retries


async def test_503_with_retry_after_is_retried(tmp_path: Path) -> None:
    flaky = sequence(respond(503, b"busy", [("Retry-After", "1")]), respond(200, b"ready"))
    # Every body to a scratch file, so the test sees that the 503's was removed.
    async with (
        LocalServer({"/": flaky}) as server,
        rig(tmp_path, limits=replace(LIMITS, memory_bytes=0)) as r,
    ):
        started = time.monotonic()
        result = await r.fetch(server.url("/"))
        elapsed = time.monotonic() - started
    assert result.ok
    assert result.attempts == 2
    assert elapsed >= 1.0
    assert result.body is not None
    assert result.body.read() == b"ready"
    assert r.leftover_files() == [result.body.path]  # the 503 body was discarded


async def test_retry_after_over_the_cap_ends_the_fetch(tmp_path: Path) -> None:
    route = respond(503, b"come back in an hour", [("Retry-After", "3600")])
    async with LocalServer({"/": route}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    assert result.status == 503
    assert result.error_kind == "http_status"
    assert result.attempts == 1
    assert result.retry_after == 3600
    assert result.duration_ms < 1000
    assert "Retry-After" in (result.error_message or "")


async def test_retry_after_as_an_http_date(tmp_path: Path) -> None:
    past = format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True)
    flaky = sequence(respond(429, b"", [("Retry-After", past)]), respond(200, b"ok"))
    async with LocalServer({"/": flaky}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    assert result.ok
    assert result.attempts == 2


async def test_persistent_5xx_ends_as_http_status(tmp_path: Path) -> None:
    async with LocalServer({"/": respond(500, b"broken")}) as server, rig(tmp_path) as r:
        result = await r.fetch(server.url("/"))
    assert result.status == 500
    assert result.error_kind == "http_status"
    assert result.attempts == LIMITS.max_retries + 1
    assert result.body is not None
    assert result.body.read() == b"broken"


# ---------------------------------------------------------------------------------------------------------
# TLS


async def test_an_untrusted_certificate_is_a_tls_failure(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path)
    async with (
        LocalServer({"/": respond(200, b"x")}, ssl_context=tls.server_context(self_signed=True)) as server,
        rig(tmp_path) as r,
    ):
        result = await r.fetch(server.url("/"))
    assert result.error_kind == "tls"
    assert result.attempts == 1
    assert "certificate" in (result.error_message or "")


async def test_tls_verifies_the_name_although_the_guard_connects_by_address(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path, names=("tls.test",))
    resolver = FakeResolver({"tls.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    async with (
        LocalServer({"/": respond(200, b"secure")}, ssl_context=tls.server_context()) as server,
        rig(tmp_path, resolver=resolver, ssl_context=tls.client_context()) as r,
    ):
        good = await r.fetch(f"https://tls.test:{server.port}/")
        wrong_name = await r.fetch(f"https://other.test:{server.port}/")
    assert good.ok
    assert good.body is not None
    assert good.body.read() == b"secure"
    assert wrong_name.error_kind == "tls"
    assert "other.test" in (wrong_name.error_message or "")


# ---------------------------------------------------------------------------------------------------------
# Concurrency and politeness


async def test_per_host_concurrency_holds(tmp_path: Path) -> None:
    limits = replace(LIMITS, concurrency=8, per_host=3)
    page = slow(0.15, respond(200, b"ok"))
    async with (
        LocalServer({"/": page}) as one,
        LocalServer({"/": page}, host="127.0.0.2") as two,
        rig(tmp_path, limits=limits) as r,
    ):
        results = await asyncio.gather(
            *(r.fetch(one.url(f"/?{i}")) for i in range(9)),
            *(r.fetch(two.url(f"/?{i}")) for i in range(9)),
        )
    assert all(result.ok for result in results)
    assert one.max_in_flight == 3
    assert two.max_in_flight == 3


async def test_global_concurrency_holds_across_hosts(tmp_path: Path) -> None:
    limits = replace(LIMITS, concurrency=2, per_host=4)
    in_flight = 0
    peak = 0

    async def counted(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.1)
        in_flight -= 1
        await respond(200, b"ok")(request, writer)

    async with (
        LocalServer({"/": counted}) as one,
        LocalServer({"/": counted}, host="127.0.0.2") as two,
        rig(tmp_path, limits=limits) as r,
    ):
        urls = [server.url(f"/?{i}") for i in range(4) for server in (one, two)]
        results = await asyncio.gather(*(r.fetch(url) for url in urls))
    assert all(result.ok for result in results)
    assert peak == 2


async def test_per_host_delay_spaces_request_starts(tmp_path: Path) -> None:
    limits = replace(LIMITS, per_host=4, per_host_delay=0.15)
    arrivals: list[float] = []

    async def stamp(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        arrivals.append(time.monotonic())
        await respond(200, b"ok")(request, writer)

    async with LocalServer({"/": stamp}) as server, rig(tmp_path, limits=limits) as r:
        await asyncio.gather(*(r.fetch(server.url(f"/?{i}")) for i in range(4)))
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert len(gaps) == 3
    # The delay spaces request starts at the client; the server sees arrivals, each late by its own
    # connect and transit time. Under load one request's lateness can shrink a single gap below half the
    # delay (seen at a load of 10), so the checks are lower bounds that one late request cannot break:
    # the middle gap, and the whole span (which only the first request's lateness can shorten).
    # Without the delay all four arrive together and both fail.
    assert statistics.median(gaps) >= 0.075
    assert arrivals[-1] - arrivals[0] >= 0.5 * 3 * 0.15


def test_the_bodies_held_in_memory_stay_bounded_whatever_the_concurrency() -> None:
    # Each fetch slot may have CAPTURES_IN_FLIGHT_PER_SLOT captures between fetch and commit; by
    # default their bodies share HELD_BODIES_BYTES, so --concurrency 200 holds no more than 16 does.
    from factledger.archive.fetch_types import CAPTURES_IN_FLIGHT_PER_SLOT, HELD_BODIES_BYTES

    for concurrency in (1, 16, 32, 200):
        limits = FetchLimits(concurrency=concurrency)
        assert 0 < limits.body_memory_bytes <= 512 * 1024
        assert limits.body_memory_bytes * concurrency * CAPTURES_IN_FLIGHT_PER_SLOT <= HELD_BODIES_BYTES
    assert FetchLimits(concurrency=16).body_memory_bytes == 512 * 1024
    assert FetchLimits(concurrency=200, memory_bytes=0).body_memory_bytes == 0  # every body to a file
