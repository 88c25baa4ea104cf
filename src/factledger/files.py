"""Writing files safely: the one way factledger puts a file where a user (or the store) asked for it.

``safe_output(path)`` is a context manager that yields a stream to write. For a regular file, or a name
that does not exist yet, the stream is an unpredictable temporary file made by ``mkstemp`` in the target's
own directory (``O_CREAT | O_EXCL``, so a name planted in advance, symlink or not, is never opened or
followed); when the block ends without an error it is fsynced and renamed over the target, and the
directory is fsynced, so the target holds the old contents or the new, never half of either. When the
block raises, the temporary file is removed and the target is untouched.

A target that exists and is not a regular file (a FIFO, a character or block device such as /dev/null
or /dev/full) is opened and written in place: renaming over it would replace the node itself, and a
device's own errors (ENOSPC from /dev/full) must reach the user. ``-`` is standard output.

A missing directory, an empty name or a directory named as the file is an ``OutputPathError``, a plain
``ValueError`` whose message is one line for the user.

This module sits below every other layer (pyproject's layers contract) so that the CLI's exports, the
WACZ writer and the capture store can all use it.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal, cast, overload

STDOUT = "-"


class OutputPathError(ValueError):
    """The output cannot be written where it was asked for; the message is one line for the user."""


def fsync_path(path: Path | str) -> None:
    """fsync a file or a directory by name (a new or renamed name survives a crash only once its
    directory is synced)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_target(path: Path) -> os.stat_result | None:
    """The target's stat when it exists (links not followed for the name itself), else None; refuses
    names that cannot be written."""
    directory = path.parent
    if not directory.is_dir():
        raise OutputPathError(f"cannot write {path}: no such directory: {directory}")
    try:
        info = os.stat(path)  # follows a symlink at the target: writing to a link writes to what it names
    except FileNotFoundError:
        if path.is_symlink():
            raise OutputPathError(f"cannot write {path}: it is a symbolic link to nothing") from None
        return None
    if stat.S_ISDIR(info.st_mode):
        raise OutputPathError(f"cannot write {path}: it is a directory")
    return info


@overload
def safe_output(
    path: Path | str, mode: Literal["w"] = "w", *, newline: str | None = None, durable: bool = True
) -> contextlib.AbstractContextManager[IO[str]]: ...
@overload
def safe_output(
    path: Path | str, mode: Literal["wb"], *, newline: str | None = None, durable: bool = True
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
def safe_output(
    path: Path | str,
    mode: Literal["w", "wb"] = "w",
    *,
    newline: str | None = None,
    durable: bool = True,
) -> contextlib.AbstractContextManager[IO[str]] | contextlib.AbstractContextManager[IO[bytes]]:
    """A stream that replaces ``path`` atomically when the block succeeds (see the module docstring).
    Text mode writes UTF-8; ``newline`` is passed to ``open`` (``""`` for the csv module).
    ``durable=False`` skips the fsyncs: the file is still atomically in place, but a power cut may lose
    it until something syncs the file system (a store that syncs a whole group at once)."""
    if str(path) == "":
        raise OutputPathError("the output file name is empty")
    return cast(
        "contextlib.AbstractContextManager[IO[str]] | contextlib.AbstractContextManager[IO[bytes]]",
        _safe_output(str(path), mode == "wb", newline, durable),
    )


@contextlib.contextmanager
def _safe_output(name: str, binary: bool, newline: str | None, durable: bool) -> Iterator[IO[Any]]:
    if name == STDOUT:
        stream: IO[Any] = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    path = Path(name)
    existing = _check_target(path)
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        # A FIFO or a device: write to it as it is, and let its errors (ENOSPC, EPIPE) surface.
        with _open_special(path, binary, newline) as special:
            yield special
        return
    directory = path.parent
    import tempfile  # with shutil and random: only when a file is written (every command imports this module)

    try:
        fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name[:64]}.", suffix=".tmp")
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {exc.strerror or exc}") from None
    handle: IO[Any] | None = None
    try:
        # Keep the permissions of the file being replaced; a new file gets the usual 0666 less the
        # umask (mkstemp makes it 0600).
        os.fchmod(fd, stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask())
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        with handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        if handle is None:
            os.close(fd)
        Path(temp_name).unlink(missing_ok=True)
        raise
    if durable:
        fsync_path(directory)


@functools.cache
def _umask() -> int:
    # There is no call that only reads the umask; read it once (setting it back at once) and keep it.
    current = os.umask(0o022)
    os.umask(current)
    return current


@contextlib.contextmanager
def _open_special(path: Path, binary: bool, newline: str | None) -> Iterator[IO[Any]]:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {exc.strerror or exc}") from None
    raw = os.fdopen(fd, "wb", buffering=0)
    buffered = io.BufferedWriter(raw)
    stream: IO[Any] = buffered if binary else io.TextIOWrapper(buffered, encoding="utf-8", newline=newline)
    with stream:
        yield stream
        stream.flush()


def check_writable_name(path: Path | str) -> None:
    """Refuse, before any work is done, an output name that ``safe_output`` would refuse."""
    if str(path) == "":
        raise OutputPathError("the output file name is empty")
    if str(path) != STDOUT:
        _check_target(Path(path))
