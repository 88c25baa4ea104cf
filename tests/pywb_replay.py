"""Replaying archives through pywb in tests: a collection under a directory, served by `wayback` on a
free loopback port. The tests that use it skip when pywb is not installed (CI installs it)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def pywb_tool(name: str) -> str | None:
    """A pywb (or py-wacz) command: beside this interpreter first, then on PATH."""
    return shutil.which(name, path=str(BIN)) or shutil.which(name)


def pywb_missing() -> bool:
    return pywb_tool("wb-manager") is None or pywb_tool("wayback") is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def replaying(root: Path, add: list[str], probe_url: str) -> Iterator[tuple[httpx.Client, str]]:
    """Make collection ``coll`` under ``root``, run ``wb-manager add coll *add``, serve it, and yield a
    client and the collection's base URL once ``wayback`` answers (``probe_url`` is looked up to tell)."""
    wb_manager, wayback = pywb_tool("wb-manager"), pywb_tool("wayback")
    assert wb_manager is not None
    assert wayback is not None
    env = {**os.environ, "PATH": f"{Path(wb_manager).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    root.mkdir(parents=True, exist_ok=True)
    for args in (["init", "coll"], ["add", "coll", *add]):
        subprocess.run([wb_manager, *args], cwd=root, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [wayback, "-p", str(port), "-b", "127.0.0.1"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/coll"
        with httpx.Client(timeout=10) as client:
            for _ in range(200):
                try:
                    client.get(f"{base}/cdx", params={"url": probe_url})
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            yield client, base
    finally:
        server.terminate()
        server.wait(timeout=10)
