"""Repair on start: truncating the torn tails that crashed writers left in their WARC files.

A writer that dies mid-append leaves a partial gzip member at the end of its file (store.py appends a
whole pair per write, but a kill or a power cut can land inside one). Nothing points at it: the database
row for a capture is only committed after its records are synced. Cutting the file back to its last
complete record lets readers and the next appends trust every member in it.

Only files a crash could have left unfinished are opened: a *sealed* file (store.py: the writer closed
it after its records were committed, and removed its write permission) is complete by construction and
is passed over from its mode alone, so a start-up costs a directory listing plus the files of writers
that died, not a read of every WARC file. A dead writer's file, once checked and trimmed, is sealed too.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from factledger.archive.fsync import fsync_path
from factledger.archive.warc.records import CREATING_SUFFIX, READ_CHUNK, WARC_SUFFIX
from factledger.archive.warc.store import is_sealed, seal

_WARC_LENGTH = re.compile(rb"\r\nContent-Length:[ \t]*(\d+)[ \t]*\r\n", re.IGNORECASE)


def _complete_records_end(stream: IO[bytes]) -> tuple[int, int]:
    """Return (end offset of the last complete record, number of complete records).

    Walks gzip members with zlib rather than warcio's ArchiveIterator: a member whose gzip trailer (CRC,
    size) is missing still yields a whole-looking record there, and the next writer would append after
    a broken member. A member counts when it decompresses to its end with a valid CRC and holds exactly
    one WARC record: headers, Content-Length bytes of block, then CRLF CRLF. Output is bounded per step,
    so a huge (or hostile) member never sits in memory.
    """
    good_end = 0
    records = 0
    offset = 0
    stream.seek(0)
    data = b""
    while True:
        if not data:
            data = stream.read(READ_CHUNK)
            if not data:
                return good_end, records
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        head = b""
        tail = b""
        produced = 0
        try:
            while True:
                out = decompressor.decompress(data, READ_CHUNK)
                produced += len(out)
                if len(head) < 65536:
                    head += out[: 65536 - len(head)]
                tail = (tail + out[-4:])[-4:]
                if decompressor.eof:
                    rest = decompressor.unused_data
                    offset += len(data) - len(rest)
                    data = rest
                    break
                offset += len(data) - len(decompressor.unconsumed_tail)
                data = decompressor.unconsumed_tail or stream.read(READ_CHUNK)
                if not data:
                    return good_end, records  # the member never ended
        except zlib.error:
            return good_end, records
        header_end = head.find(b"\r\n\r\n")
        match = _WARC_LENGTH.search(head, 0, header_end + 2) if header_end > 0 else None
        if not head.startswith(b"WARC/") or match is None:
            return good_end, records
        if produced != header_end + 4 + int(match.group(1)) + 4 or tail != b"\r\n\r\n":
            return good_end, records
        good_end = offset
        records += 1


def repair(directory: Path) -> list[str]:
    """Truncate partial tails left by crashed writers; return what was done, one line per file.

    Sealed files are not opened, and files a live ``WarcStore`` holds (exclusive flock) are skipped. A
    file without even one complete record (its warcinfo) is deleted, and so is a leftover ``*.creating``
    file.
    """
    actions: list[str] = []
    directory = Path(directory)
    if not directory.is_dir():
        return actions
    paths = sorted(
        p
        for p in _unsealed_files(directory)
        if p.name.endswith(CREATING_SUFFIX) or p.name.endswith(WARC_SUFFIX)
    )
    for path, handle in _locked_files(paths):
        if handle is None:
            actions.append(f"{path.name}: skipped, a live writer holds it")
            continue
        if path.name.endswith(CREATING_SUFFIX):
            path.unlink()
            actions.append(f"{path.name}: deleted, a writer died before its warcinfo was committed")
            continue
        size = os.fstat(handle.fileno()).st_size
        good_end, records = _complete_records_end(handle)
        if records == 0:
            path.unlink()
            actions.append(f"{path.name}: deleted, no complete record ({size} bytes)")
        elif good_end < size:
            _truncate(handle, good_end)
            actions.append(
                f"{path.name}: truncated {size - good_end} bytes of partial tail after "
                f"{records} complete records (now {good_end} bytes)"
            )
    if actions:
        fsync_path(directory)
    return actions


def trim_uncommitted(directory: Path, committed_ends: Callable[[list[str]], dict[str, int]]) -> list[str]:
    """Cut off the complete but uncommitted records that a killed writer left at the end of its file.

    A writer appends a group, fsyncs, then commits the group's snapshots; a kill between the two leaves
    whole records that no snapshot points at, which a replay tool would show beside the committed
    capture of the same URI. ``committed_ends`` says, per file, where the last response a snapshot
    points at ends; the file is cut after the request record that follows it. A file this ledger does
    not point into is left alone (it may be another ledger's; ``store check`` lists it as an orphan),
    and so are files a live writer holds (exclusive flock) and sealed files. One line per file changed.
    A dead writer's file is sealed once trimmed: nothing will append to it again, so later starts skip it.
    """
    actions: list[str] = []
    directory = Path(directory)
    if not directory.is_dir():
        return actions
    candidates = sorted(p for p in _unsealed_files(directory) if p.name.endswith(WARC_SUFFIX))
    ends = committed_ends([p.name for p in candidates])
    finished: list[Path] = []
    for path, handle in _locked_files(candidates):
        response_end = ends.get(path.name)
        # A live writer's file (None) may have a group committing right now; a file nothing in this
        # ledger points into may be another ledger's. Only `store check --remove-orphans` deletes one.
        if handle is None or response_end is None:
            continue
        size = os.fstat(handle.fileno()).st_size
        keep = _member_end(handle, response_end) or response_end  # the request record after it
        if keep < size:
            _truncate(handle, keep)
            actions.append(f"{path.name}: cut {size - keep} bytes of uncommitted records (now {keep} bytes)")
        finished.append(path)
    if actions:
        fsync_path(directory)
    for path in finished:
        seal(path)  # after the truncation is durable: a sealed file is never looked at again
    return actions


def _unsealed_files(directory: Path) -> Iterator[Path]:
    """The regular files in ``directory`` that are not sealed, from the directory listing and each
    file's mode (one stat each, no open)."""
    for path in directory.iterdir():
        try:
            if path.is_file() and not is_sealed(path):
                yield path
        except FileNotFoundError:
            continue


def _locked_files(paths: Iterable[Path]) -> Iterator[tuple[Path, IO[bytes] | None]]:
    """Each file opened for writing and exclusively locked, or with None when a live writer holds it.
    Files that vanish or are replaced meanwhile are passed over."""
    for path in paths:
        try:
            handle = path.open("r+b")
        except FileNotFoundError:
            continue
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                yield path, None
                continue
            if _same_file(path, handle):  # not renamed or removed while we waited
                yield path, handle


def _truncate(handle: IO[bytes], size: int) -> None:
    handle.truncate(size)
    handle.flush()
    os.fsync(handle.fileno())


def _member_end(stream: IO[bytes], offset: int) -> int | None:
    """Where the gzip member starting at ``offset`` ends; None if there is no complete member there."""
    stream.seek(offset)
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    consumed = 0
    try:
        while not decompressor.eof:
            data = decompressor.unconsumed_tail or stream.read(READ_CHUNK)
            if not data:
                return None
            before = len(data)
            decompressor.decompress(data, READ_CHUNK)
            consumed += before - len(decompressor.unconsumed_tail) - len(decompressor.unused_data)
    except zlib.error:
        return None
    return offset + consumed


def _same_file(path: Path, handle: IO[bytes]) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    opened = os.fstat(handle.fileno())
    return (on_disk.st_dev, on_disk.st_ino) == (opened.st_dev, opened.st_ino)
