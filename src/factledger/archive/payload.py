"""A fetched body exactly as it came off the wire (de-chunked, Content-Encoding kept): in memory when it is
small, in a scratch file when it is not.

Why not always a file: a scratch file per page was created by the event loop's process and deleted after
the commit, and creating a file that outlives the next creation is the expensive case for ext4's inode
allocator (its scan of recently deleted inodes): about 0.6 ms of CPU a file on the benchmark machine,
against about 0.1 ms to pickle a 60 KB body through the worker's pipe. Why not always memory: up to
``concurrency * 2`` captures wait between fetch and commit (runner.py), and a body may be as large as
``FetchLimits.max_bytes``; a body over ``FetchLimits.body_memory_bytes`` therefore goes on to a file, as the
standard library's ``SpooledTemporaryFile`` does (which cannot cross to a worker process, hence this type).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["Payload"]


@dataclass(frozen=True, slots=True)
class Payload:
    """One body: ``data`` when it is held in memory, else ``path``, a scratch file its owner deletes with
    ``discard()``. A payload whose bytes were handed on (``handed_on()``) has neither, only its length
    and digest."""

    length: int
    sha256: str  # hex digest of the bytes
    data: bytes | None = None
    path: Path | None = None

    def __post_init__(self) -> None:
        if self.data is not None and self.path is not None:
            raise ValueError("a payload is held either in memory or in a file, not both")

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        return self._file().open("rb")

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        return self._file().read_bytes()

    def handed_on(self) -> Payload:
        """This payload without its bytes in memory, once its records are built and its text extracted:
        captures wait for their commit group (up to 256 of them, runner.py), and their bodies need not
        wait with them. A scratch file stays for ``discard()``."""
        return Payload(self.length, self.sha256, path=self.path) if self.data is not None else self

    def _file(self) -> Path:
        if self.path is None:
            raise ValueError("this payload's bytes were handed on")
        return self.path

    def discard(self) -> None:
        """Remove the scratch file, if there is one (a body in memory goes with the object)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)
