"""A crash-safe WARC store: this process's own ``.warc.gz`` file, appended to and rotated.

Each process writes its own file and holds an exclusive ``flock`` on it while it is open, so ``repair``
(repair.py, run on start) can tell a live writer's file from one a crashed writer left behind. Records
arrive as finished gzip members (build.py), one member per record, and a new file is only published
once its warcinfo record is on disk. Appending is not durable by itself: ``sync`` is, so a caller
appends a group of captures, syncs once, and only then lets a database row point at any of them.

A file the writer is done with (rotated away or closed) whose records are all synced and committed
(the caller says so with ``committed``) is *sealed*: its write permission is removed. Nothing is ever
appended to it again and no crash can have left anything unfinished in it, so the start-up repair
skips it without opening it (``is_sealed``); a run that wrote a hundred 1 GiB files leaves at most the
last one to check.
"""

from __future__ import annotations

import errno
import fcntl
import io
import os
import re
import stat
import tempfile
import threading
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from types import TracebackType
from typing import IO, Final, Self

from warcio.warcwriter import WARCWriter

from factledger import __version__
from factledger.archive.fsync import fsync_path
from factledger.archive.objects import ObjectStore
from factledger.archive.warc.records import (
    CONFORMS_TO,
    CREATING_SUFFIX,
    WARC_SUFFIX,
    WARC_VERSION,
    WarcLocation,
)

GiB: Final = 1024**3
# Room for the WARC and HTTP headers of a request/response pair when deciding whether to rotate.
_PAIR_OVERHEAD: Final = 4096
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class WarcStore:
    """Appends built record pairs to this process's own WARC file in ``directory``, rotating at
    ``max_file_bytes``.

    Thread-safe. Use as a context manager or call ``close()``; until then the current file stays locked.
    """

    def __init__(self, directory: Path, *, writer_name: str, max_file_bytes: int = GiB) -> None:
        name = _SAFE_NAME.sub("_", writer_name).strip("._")
        if not name:
            raise ValueError(f"writer_name {writer_name!r} has no usable characters")
        if max_file_bytes <= 0:
            raise ValueError("max_file_bytes must be positive")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.writer_name = name
        self.max_file_bytes = max_file_bytes
        self._lock = threading.Lock()
        self._serial = 0
        self._file: io.FileIO | None = None
        self._filename = ""
        self._size = 0
        self._records_in_file = 0
        self._closed_unsealed: list[Path] = []  # closed files whose records may not be committed yet
        self._uncommitted = False  # something was appended since the last ``committed``

    def append_built(self, data: bytes, response_length: int) -> WarcLocation:
        """Append a pair built by ``build.build_pair``; return the location of its first record.

        NOT yet durable: call ``sync()`` before anything (a database row) may point at it. Appending many
        pairs and syncing once is the point. A failed append leaves the file as it was before it.
        """
        with self._lock:
            self._ensure_room(len(data))
            assert self._file is not None
            start = self._size
            try:
                _write_all(self._file, data)
            except BaseException:
                # Cut the half-written pair off so this live file stays valid; the caller records the failure.
                os.ftruncate(self._file.fileno(), start)
                self._file.seek(start)
                raise
            self._size = start + len(data)
            self._records_in_file += 2
            self._uncommitted = True
            return WarcLocation(self._filename, start, response_length)

    def sync(self) -> None:
        """Make every appended record durable (one fsync for a whole group of captures)."""
        with self._lock:
            if self._file is not None:
                os.fsync(self._file.fileno())

    def committed(self) -> None:
        """Everything synced so far is committed (rows point at it): seal the files already closed.

        The current file stays open and unsealed; a file rotated away in the middle of a group is only
        sealed here, once that group's rows are in, because a crash before then leaves records in it that
        ``trim_uncommitted`` must still be able to cut."""
        with self._lock:
            self._uncommitted = False
            self._seal_closed()

    def close(self) -> None:
        """Close the current file; seal it too if nothing appended to it is still waiting for a commit
        (after a failed commit it stays unsealed, for the next start to trim)."""
        with self._lock:
            self._close_file()
            if not self._uncommitted:
                self._seal_closed()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _ensure_room(self, size: int) -> None:
        if (
            self._file is not None
            and self._records_in_file
            and (self._size + size + _PAIR_OVERHEAD > self.max_file_bytes)
        ):
            self._close_file()
        if self._file is None:
            self._open_file()

    def _open_file(self) -> None:
        while (opened := self._try_open_file()) is None:
            pass
        handle, filename = opened
        self._file = handle
        self._filename = filename
        self._size = handle.tell()
        self._records_in_file = 0

    def _try_open_file(self) -> tuple[io.FileIO, str] | None:
        """Create, lock and publish the next file; None if its name was taken meanwhile."""
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        filename = f"factledger-{stamp}-{self.writer_name}-{self._serial:05d}{WARC_SUFFIX}"
        self._serial += 1
        final = self.directory / filename
        creating = self.directory / (filename.removesuffix(WARC_SUFFIX) + CREATING_SUFFIX)
        if final.exists():
            return None
        try:
            handle = creating.open("xb", buffering=0)
        except FileExistsError:
            return None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            self._write_warcinfo(handle, filename)
            os.fsync(handle.fileno())
            _publish(creating, final)
            fsync_path(self.directory)
        except BaseException as exc:
            handle.close()
            creating.unlink(missing_ok=True)
            if isinstance(exc, FileExistsError):
                return None
            raise
        return handle, filename

    def _write_warcinfo(self, handle: io.FileIO, filename: str) -> None:
        _write_warcinfo(handle, filename, self.writer_name)

    def _close_file(self) -> None:
        if self._file is None:
            return
        try:
            os.fsync(self._file.fileno())
        finally:
            self._file.close()  # closing releases the flock
            self._file = None
            self._closed_unsealed.append(self.directory / self._filename)
            self._filename = ""

    def _seal_closed(self) -> None:
        for path in self._closed_unsealed:
            seal(path)
        self._closed_unsealed.clear()


class ObjectWarcWriter:
    """Writes each group of appended pairs as one immutable WARC object: object stores do not append.

    ``append_built`` spools the group to an anonymous temporary file in ``spool_dir`` (the local scratch
    directory) behind a warcinfo record; ``sync`` uploads that file as a new object, complete or absent,
    and only then may a database row point at it. The group is never held in memory: like the local
    store, the writer keeps no more than the pair it is given, however large the group (captures of
    up to 50 MB each), and the upload reads the file in bounded parts (``ObjectStore.put_file``). The
    spool file has no name, so a crash leaves nothing behind. Same interface as ``WarcStore``, so the
    committer does not know which it has. Thread-safe.
    """

    def __init__(self, objects: ObjectStore, *, writer_name: str, spool_dir: Path | None = None) -> None:
        name = _SAFE_NAME.sub("_", writer_name).strip("._")
        if not name:
            raise ValueError(f"writer_name {writer_name!r} has no usable characters")
        self.objects = objects
        self.writer_name = name
        self.spool_dir = spool_dir
        self._lock = threading.Lock()
        self._serial = 0
        self._spool: IO[bytes] | None = None
        self._filename = ""

    def append_built(self, data: bytes, response_length: int) -> WarcLocation:
        """Add a pair built by ``build.build_pair`` to the current group; NOT stored until ``sync()``."""
        with self._lock:
            if self._spool is None:
                stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
                self._filename = f"factledger-{stamp}-{self.writer_name}-{self._serial:05d}{WARC_SUFFIX}"
                self._serial += 1
                if self.spool_dir is not None:
                    self.spool_dir.mkdir(parents=True, exist_ok=True)
                self._spool = tempfile.TemporaryFile(dir=self.spool_dir)  # noqa: SIM115  # closed in sync/close
                _write_warcinfo(self._spool, self._filename, self.writer_name)
            start = self._spool.tell()
            try:
                self._spool.write(data)
            except BaseException:
                self._spool.truncate(start)  # the group stays valid without the pair that failed
                self._spool.seek(start)
                raise
            return WarcLocation(self._filename, start, response_length)

    def sync(self) -> None:
        """Store the group appended since the last sync as one object."""
        with self._lock:
            if self._spool is None:
                return
            spool, filename = self._spool, self._filename
            self._spool = None  # a failed upload loses the group: its captures are not recorded
            with spool:
                spool.seek(0)
                self.objects.put_file(filename, spool)

    def committed(self) -> None:
        return None  # each object is complete once stored: nothing to seal

    def close(self) -> None:
        with self._lock:
            if self._spool is not None:
                self._spool.close()  # appended but never synced: nothing points at it
                self._spool = None


def seal(path: Path) -> None:
    """Mark a finished WARC file, all of whose records are complete and committed, as never to be
    written again: no write permission (kept for group and others' read bits). A file that is gone is
    passed over. Not fsynced: a seal lost in a power cut only means the next start checks the file."""
    try:
        mode = path.stat().st_mode
        os.chmod(path, stat.S_IMODE(mode) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    except FileNotFoundError:
        return


def is_sealed(path: Path) -> bool:
    """Whether ``seal`` marked this file (from its mode alone: the file is not opened)."""
    return not path.stat().st_mode & stat.S_IWUSR


def _write_warcinfo(handle: io.RawIOBase | IO[bytes], filename: str, writer_name: str) -> None:
    writer = WARCWriter(handle, gzip=True, warc_version=WARC_VERSION)
    warcinfo = writer.create_warcinfo_record(
        filename,
        {
            "software": f"factledger/{__version__} (warcio/{package_version('warcio')})",
            "format": "WARC file version 1.1",
            "conformsTo": CONFORMS_TO,
            "writer": writer_name,
        },
    )
    writer.write_record(warcinfo)


def _write_all(file: io.FileIO, data: bytes) -> None:
    """Write all of ``data``: an unbuffered write may stop short (a full disk, a file size limit), and
    the part after a short write must not be lost silently, with every later offset off by the rest."""
    view = memoryview(data)
    while view:
        written = file.write(view)
        if not written:  # None (non-blocking, never for a regular file) or 0
            raise OSError(errno.EIO, "the WARC file accepted no more bytes")
        view = view[written:]


def _publish(creating: Path, final: Path) -> None:
    """Give the locked, warcinfo-only file its final name without ever replacing another file."""
    try:
        os.link(creating, final)  # unlike rename(), link() refuses to clobber an existing name
    except FileExistsError:
        raise
    except OSError as exc:  # a filesystem without hard links: rename, having checked the name is free
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if final.exists():
            raise FileExistsError(errno.EEXIST, "WARC file name taken", str(final)) from exc
        os.rename(creating, final)
        return
    creating.unlink()
