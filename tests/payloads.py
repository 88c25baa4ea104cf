"""Payloads for tests that build captures by hand: the two forms the fetcher hands on (archive/payload.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from factledger.archive.payload import Payload


def payload_in_memory(data: bytes) -> Payload:
    return Payload(len(data), hashlib.sha256(data).hexdigest(), data=data)


def payload_in_file(path: Path, data: bytes) -> Payload:
    """Writes ``data`` to ``path`` and returns it as a file payload, as the fetcher spills a large body."""
    path.write_bytes(data)
    return Payload(len(data), hashlib.sha256(data).hexdigest(), path=path)
