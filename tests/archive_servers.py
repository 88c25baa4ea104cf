"""Local servers and network fakes for archive tests. Nothing here can reach beyond 127.0.0.0/8.

- ``LocalServer``: a raw HTTP/1.1 server on a loopback address and an ephemeral port whose routes write bytes
  straight to the socket, so a test can misbehave at the byte level (trickle, reset, endless chunks...).
- ``LoopbackOnlyBackend``: sits *under* the address guard in every test and raises before connecting to
  anything outside loopback, so even a guard bug cannot send a packet off the machine.
- ``FakeResolver``: host names for tests, without DNS.
- ``make_tls_files``: a throwaway CA, a certificate it signed and a self-signed one, made at test time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import ipaddress
import socket
import ssl
import struct
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpcore

# ---------------------------------------------------------------------------------------------------------
# Network fakes


class OffLoopbackConnectionError(AssertionError):
    """A test tried to open a connection that could leave the machine. Never caught by the fetcher."""


class LoopbackOnlyBackend(httpcore.AsyncNetworkBackend):
    """Connects only to loopback IP literals; anything else raises before a socket is made."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()
        self.connected: list[str] = []  # every host it was asked to connect to, in order

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            ip = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            # The guard must hand over the address it checked, never a name to resolve again.
            raise OffLoopbackConnectionError(f"asked to connect to a name: {host!r}") from None
        loopback = ip in ipaddress.IPv4Network("127.0.0.0/8") or ip == ipaddress.IPv6Address("::1")
        if not loopback:
            raise OffLoopbackConnectionError(f"asked to connect outside loopback: {host}")
        self.connected.append(host)
        return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise OffLoopbackConnectionError("unix sockets are not used by the fetcher")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class FakeResolver:
    """Resolves a fixed table of names; anything else is NXDOMAIN."""

    def __init__(self, table: dict[str, list[str]] | None = None) -> None:
        self.table = {
            "evil.test": ["127.0.0.1"],
            "metadata.test": ["169.254.169.254"],
            "intranet.test": ["10.0.0.1"],
            "mixed.test": ["93.184.216.34", "10.0.0.1"],
            "public.test": ["93.184.216.34"],
            "mapped.test": ["::ffff:127.0.0.1"],
        }
        self.table.update(table or {})
        self.lookups: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        try:
            return list(self.table[host])
        except KeyError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


# ---------------------------------------------------------------------------------------------------------
# The raw server


@dataclass
class ReceivedRequest:
    method: str
    target: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


Handler = Callable[[ReceivedRequest, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class LocalServer:
    """An HTTP/1.1 server on ``host`` (a loopback address) that runs one route per connection."""

    routes: dict[str, Handler]
    host: str = "127.0.0.1"
    ssl_context: ssl.SSLContext | None = None
    requests: list[ReceivedRequest] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    async def __aenter__(self) -> LocalServer:
        self._server = await asyncio.start_server(self._accept, self.host, 0, ssl=self.ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{host or self.host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for request in self.requests if request.target.split("?")[0] == path)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            request = await _read_request(reader)
            if request is None:
                return
            self.requests.append(request)
            handler = self.routes.get(request.target.split("?")[0], respond(404, b"not found"))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await handler(request, writer)
            finally:
                self.in_flight -= 1
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass  # the client went away, which is often the point of the test
        except asyncio.CancelledError:
            # Shutdown cancels handlers still trickling; ending quietly keeps asyncio's stream callback
            # from logging the cancellation as an error.
            pass
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET):
                raise
        finally:
            self._tasks.discard(task)
            if not writer.is_closing():
                writer.close()


async def _read_request(reader: asyncio.StreamReader) -> ReceivedRequest | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line]
    return ReceivedRequest(method, target, [(k, v) for k, v in headers])


# ---------------------------------------------------------------------------------------------------------
# Routes


def head(status: int, headers: Iterable[tuple[str, str]] = (), reason: str | None = None) -> bytes:
    phrase = reason if reason is not None else HTTPStatus(status).phrase
    lines = [f"HTTP/1.1 {status} {phrase}", *(f"{k}: {v}" for k, v in headers), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def respond(status: int = 200, body: bytes = b"", headers: Iterable[tuple[str, str]] = ()) -> Handler:
    async def handler(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        all_headers = [*headers, ("Content-Length", str(len(body))), ("Connection", "close")]
        writer.write(head(status, all_headers) + body)
        await writer.drain()

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    return respond(status, b"", [("Location", location)])


def sequence(*handlers: Handler) -> Handler:
    """Answer the n-th request with the n-th handler (the last one repeats)."""
    calls = 0

    async def handler(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        nonlocal calls
        calls += 1
        await handlers[min(calls, len(handlers)) - 1](request, writer)

    return handler


def slow(delay: float, then: Handler) -> Handler:
    async def handler(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(delay)
        await then(request, writer)

    return handler


def trickle(interval: float = 1.0, length: int = 1000) -> Handler:
    """Announce ``length`` bytes, then send one every ``interval`` seconds."""

    async def handler(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, [("Content-Type", "text/plain"), ("Content-Length", str(length))]))
        for _ in range(length):
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(interval)

    return handler


def endless_chunked(chunk_size: int = 64 * 1024) -> Handler:
    async def handler(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]))
        chunk = f"{chunk_size:x}\r\n".encode() + b"a" * chunk_size + b"\r\n"
        while True:
            writer.write(chunk)
            await writer.drain()

    return handler


def chunked(parts: list[bytes], headers: Iterable[tuple[str, str]] = ()) -> Handler:
    async def handler(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, [*headers, ("Transfer-Encoding", "chunked"), ("Connection", "close")]))
        for part in parts:
            writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    return handler


def huge_header(size: int = 200 * 1024) -> Handler:
    async def handler(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, [("X-Padding", "p" * size), ("Content-Length", "2")]) + b"ok")
        await writer.drain()

    return handler


def reset_mid_body(sent: int = 64 * 1024, announced: int = 1024 * 1024) -> Handler:
    """Send part of the announced body, then abort with a TCP RST (SO_LINGER 0)."""

    async def handler(request: ReceivedRequest, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, [("Content-Type", "text/html"), ("Content-Length", str(announced))]))
        writer.write(b"<p>" + b"a" * (sent - 3))
        await writer.drain()
        await asyncio.sleep(0.05)  # let the client start on the body
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    return handler


@cache
def gzip_bomb(expanded: int = 128 * 1024 * 1024) -> bytes:
    """Zeros that gzip to about 1/1000 of their size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(expanded // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


# ---------------------------------------------------------------------------------------------------------
# TLS material


@dataclass(frozen=True)
class TLSFiles:
    ca_pem: str  # trust this to accept ``cert``
    cert: Path  # signed by the CA for the names given
    key: Path
    self_signed_cert: Path  # a certificate nobody vouches for, same key
    names: tuple[str, ...]

    def server_context(self, *, self_signed: bool = False) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.self_signed_cert if self_signed else self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.ca_pem)


def make_tls_files(directory: Path, names: tuple[str, ...] = ("tls.test",)) -> TLSFiles:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def build(
        subject: str,
        key: ec.EllipticCurvePrivateKey,
        issuer: str,
        signer: ec.EllipticCurvePrivateKey,
        ca: bool,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False
            ).add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("factledger test CA", ca_key, "factledger test CA", ca_key, ca=True)
    leaf = build(names[0], leaf_key, "factledger test CA", ca_key, ca=False)
    self_signed = build(names[0], leaf_key, names[0], leaf_key, ca=False)

    pem = serialization.Encoding.PEM
    files = TLSFiles(
        ca_pem=ca_cert.public_bytes(pem).decode(),
        cert=directory / "leaf.pem",
        key=directory / "leaf.key",
        self_signed_cert=directory / "self-signed.pem",
        names=names,
    )
    files.cert.write_bytes(leaf.public_bytes(pem))
    files.self_signed_cert.write_bytes(self_signed.public_bytes(pem))
    files.key.write_bytes(
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files
