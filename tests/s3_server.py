"""A real S3 endpoint on loopback for the capture-store tests: moto's server mode, in its own process.

``serve_s3`` starts it on 127.0.0.1 at a free port and points the standard AWS variables at it, which
is all the code under test reads (it never knows which server answers). ``new_bucket`` makes an empty
bucket for one test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3  # type: ignore[import-untyped]


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    pid: int | None = None  # the server's process, for benchmarks that count its CPU

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve_s3(*, check_keys: bool = False) -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1, with the AWS variables of this process pointing at it.

    ``check_keys``: the server refuses every request whose access key it does not know (moto's IAM
    checks from the first request), as a real endpoint refuses a wrong key; no bucket can be made."""
    port = _free_port()
    environment = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "0"} if check_keys else None
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    server = S3Server(f"http://127.0.0.1:{port}", pid=process.pid)
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
        saved = {name: os.environ.get(name) for name in server.environment()}
        os.environ.update(server.environment())
        try:
            yield server
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    finally:
        process.terminate()
        process.wait(timeout=10)
