"""Where captures are kept: a local directory, or S3-compatible object storage, behind one small interface.

Both back ends hold immutable objects under string keys (``<name>.warc.gz``, ``ab/cd/<sha256>.txt.gz``):
- ``LocalObjects``: files under a directory. A put writes a temporary file and renames it, so an object
  is complete or absent; ``durable`` makes it survive a power cut before the call returns.
- ``S3Objects``: one bucket and prefix through obstore (the Rust ``object_store`` crate). A PUT is
  atomic by the protocol, and durable when it returns. The endpoint and the credentials come the
  standard AWS way: ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
  ``AWS_REGION``, ``AWS_ALLOW_HTTP`` for a plain-HTTP endpoint, or ``AWS_PROFILE`` (its keys, region
  and ``endpoint_url`` read from the shared AWS files by aws_profile.py). Nothing here knows which
  server answers, and no error it raises carries a secret key.

Reads are ranged: a capture is one (object, offset, length). A missing object is an
``ObjectMissingError`` naming the store and the key, which the command line prints as one line.
"""

from __future__ import annotations

import ctypes
import io
import mmap
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from stat import S_ISREG
from typing import IO, Final, Protocol, TypeVar
from urllib.parse import urlsplit

from factledger.archive.aws_profile import ProfileError, read_profile
from factledger.archive.fsync import fsync_path
from factledger.ledger.errors import LedgerError, NotFoundError

S3_SCHEME: Final = "s3"
# A multipart upload holds at most this many parts of this size in memory (obstore's defaults, 12
# parts in flight, would let a migration or a big WARC group hold 60 MB or more).
UPLOAD_PART_BYTES: Final = 5 * 1024 * 1024  # S3's smallest part
UPLOAD_PARTS_IN_FLIGHT: Final = 2
_ENDPOINT_VARIABLES: Final = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT")
_T = TypeVar("_T")


class StoreError(LedgerError):
    """The capture store cannot be used (unreachable, refused, misconfigured); the message is one line."""


class ObjectMissingError(NotFoundError):
    """The ledger names an object the capture store does not have."""

    def __init__(self, store: str, key: str) -> None:
        super().__init__(f"capture store {store} has no object {key}")
        self.store = store
        self.key = key

    def __reduce__(self) -> tuple[type[ObjectMissingError], tuple[str, str]]:
        return type(self), (self.store, self.key)  # it crosses from the worker processes


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    modified: datetime | None = None


class ObjectStore(Protocol):
    """Immutable objects under keys. Implementations are safe to share between threads."""

    @property
    def name(self) -> str:
        """Where the objects are, for messages (never with credentials)."""
        ...

    def put(self, key: str, data: bytes, *, durable: bool = True) -> None: ...

    def put_if_absent(self, key: str, make: Callable[[], bytes], *, durable: bool = True) -> None:
        """Store the bytes ``make()`` returns unless ``key`` already holds them (content-addressed objects);
        ``make`` is called only when they may be needed (compressing a text that is already stored is
        wasted work when a page's markup changed but its text did not)."""
        ...

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> None:
        """Store an object of any size from pieces (a multipart upload on S3), durable when it returns."""
        ...

    def put_file(self, key: str, file: IO[bytes]) -> None:
        """Store the rest of an open binary file, read in bounded parts; durable when it returns."""
        ...

    def make_durable(self, keys: Iterable[str]) -> None:
        """Make objects put with ``durable=False`` survive a power cut."""
        ...

    def get(self, key: str) -> bytes: ...

    def get_range(self, key: str, offset: int, length: int) -> bytes: ...

    def open(self, key: str) -> IO[bytes]:
        """A seekable reader over one object (buffered ranged reads on S3)."""
        ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> Iterator[StoredObject]: ...

    def delete(self, key: str) -> None: ...


def _make_directories(directory: Path) -> list[Path]:
    """Make ``directory`` and any missing parents; return the ones made, outermost first.

    One mkdir call when the directory is there already, where checking each parent, then
    ``Path.mkdir(parents=True)``, took about a third of a small put (each text and sidecar is one)."""
    try:
        os.mkdir(directory)
    except FileExistsError:
        return []
    except FileNotFoundError:
        made = _make_directories(directory.parent)
        try:
            os.mkdir(directory)
        except FileExistsError:  # another process made it just now
            return made
        return [*made, directory]
    return [directory]


class LocalObjects:
    """Objects as files under ``root`` (keys are relative paths; ``/`` separates directories)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def name(self) -> str:
        return str(self.root)

    def path(self, key: str) -> Path:
        if not key or key.startswith("/") or any(part in ("", ".", "..") for part in key.split("/")):
            raise ValueError(f"not an object key: {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes, *, durable: bool = True) -> None:
        self._write(key, (data,), durable=durable)

    def _write(self, key: str, chunks: Iterable[bytes], *, durable: bool) -> None:
        path = self.path(key)
        new_directories = [d for d in _make_directories(path.parent) if d.is_relative_to(self.root)]
        # A temporary file, then a rename: a reader never sees half an object, and a crash leaves at
        # worst a stray ``.tmp`` file (``sweep_temporary`` removes those), never a torn object.
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:8]}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                if durable:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        if durable:
            for directory in {*(d.parent for d in new_directories), path.parent}:
                fsync_path(directory)  # the new name (and any new fan-out directory) survives a crash

    def put_if_absent(self, key: str, make: Callable[[], bytes], *, durable: bool = True) -> None:
        if not self.path(key).exists():
            self.put(key, make(), durable=durable)

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> None:
        self._write(key, chunks, durable=True)

    def put_file(self, key: str, file: IO[bytes]) -> None:
        self._write(key, iter(lambda: file.read(UPLOAD_PART_BYTES), b""), durable=True)

    def make_durable(self, keys: Iterable[str]) -> None:
        """Where Linux offers syncfs(2), one call flushes the store's whole filesystem: for the
        archiver's group of 64 captures that costs about 3 ms, against about 400 ms for an fsync of each
        file and of its fan-out directory. Elsewhere, each file and directory is fsynced."""
        wanted = [self.path(key) for key in keys]
        if not wanted:
            return
        if _syncfs is not None:
            fd = os.open(self.root, os.O_RDONLY)
            try:
                if _syncfs(fd) == 0:
                    return
            finally:
                os.close(fd)
        for path in wanted:
            fsync_path(path)
        for directory in sorted({d for path in wanted for d in path.parents if d.is_relative_to(self.root)}):
            fsync_path(directory)

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectMissingError(self.name, key) from None

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        with self.open(key) as handle:
            handle.seek(offset)
            return handle.read(length)

    def open(self, key: str) -> IO[bytes]:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise ObjectMissingError(self.name, key) from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and key.startswith(prefix) and not path.name.startswith("."):
                stat = path.stat()
                yield StoredObject(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def sweep_temporary(self) -> int:
        """Remove the ``.tmp`` files that puts killed midway left; how many. Safe beside live writers
        only for files older than a minute, which no live put still owns."""
        removed = 0
        if not self.root.is_dir():
            return removed
        cutoff = time.time() - 60
        for path in self.root.rglob(".*.tmp"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed


class S3Objects:
    """Objects in an S3-compatible bucket under a prefix, through obstore."""

    def __init__(self, url: str) -> None:
        from obstore.store import from_url

        parts = urlsplit(url)
        if parts.scheme != S3_SCHEME or not parts.netloc:
            raise StoreError(f"not an S3 store URL (s3://bucket/prefix): {mask_url(url)}")
        self.url = f"s3://{parts.netloc}/{parts.path.strip('/')}".rstrip("/")
        # Whatever error text the client returns passes through _one_line, which blanks these out.
        self._secrets = tuple(
            value
            for name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
            if (value := os.environ.get(name))
        )
        options: dict[str, object] = {}
        profile = os.environ.get("AWS_PROFILE")
        if profile:
            options = self._profile_options(profile)
        try:
            self._store = from_url(self.url, **options)  # type: ignore[call-overload]
        except Exception as exc:
            raise StoreError(f"capture store {self.url}: {self._one_line(exc)}") from None

    def _profile_options(self, name: str) -> dict[str, object]:
        """What the named profile adds to the ``AWS_*`` variables: variables that are set win, as in
        the AWS CLI (aws_profile.py reads the shared files)."""
        try:
            profile = read_profile(name)
        except ProfileError as exc:
            raise StoreError(f"capture store {self.url}: {exc}") from None
        self._secrets += profile.secrets
        options: dict[str, object] = {}
        if profile.region and not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
            options["region"] = profile.region
        if profile.endpoint_url and not any(os.environ.get(v) for v in _ENDPOINT_VARIABLES):
            options["endpoint"] = profile.endpoint_url
        if os.environ.get("AWS_ACCESS_KEY_ID"):
            return options
        if profile.has_keys:
            options["access_key_id"] = profile.access_key_id
            options["secret_access_key"] = profile.secret_access_key
            if profile.session_token:
                options["session_token"] = profile.session_token
        elif profile.indirect:
            options["credential_provider"] = _boto3_credentials(name)
        else:
            raise StoreError(f"capture store {self.url}: AWS profile {name} holds no keys")
        return options

    @property
    def name(self) -> str:
        return self.url

    def put(self, key: str, data: bytes, *, durable: bool = True) -> None:
        import obstore

        self._call(key, lambda: obstore.put(self._store, key, data))

    def put_if_absent(self, key: str, make: Callable[[], bytes], *, durable: bool = True) -> None:
        # Same key, same bytes: overwriting is idempotent, and one PUT is cheaper than a HEAD and a PUT.
        self.put(key, make(), durable=durable)

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> None:
        import obstore

        self._call(
            key, lambda: obstore.put(self._store, key, iter(chunks), max_concurrency=UPLOAD_PARTS_IN_FLIGHT)
        )

    def put_file(self, key: str, file: IO[bytes]) -> None:
        """One PUT up to a part's size, a multipart upload of parts read from the file above it.

        The one PUT sends the file's pages mapped, not read: the client would otherwise copy the whole
        body into memory once or twice (a committed WARC group of 1 MB raised the archiver's peak RSS by
        1.4 MB, one of 3 MB by 8 MB, and the allocator kept it). A file just written, as the archiver's
        spool is, has those pages in memory already, and the mapping is gone when the PUT returns."""
        import obstore

        remaining = _remaining_bytes(file)
        if remaining is not None and 0 < remaining <= UPLOAD_PART_BYTES:
            offset = file.tell()
            with (
                mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
                memoryview(mapped) as whole,
                whole[offset:] as body,
            ):
                self._call(key, lambda: obstore.put(self._store, key, body))
            file.seek(0, io.SEEK_END)
            return
        self._call(
            key,
            lambda: obstore.put(
                self._store, key, file, chunk_size=UPLOAD_PART_BYTES, max_concurrency=UPLOAD_PARTS_IN_FLIGHT
            ),
        )

    def make_durable(self, keys: Iterable[str]) -> None:
        return None  # a PUT is durable when it returns

    def get(self, key: str) -> bytes:
        import obstore

        return self._call(key, lambda: bytes(obstore.get(self._store, key).bytes()))

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        import obstore

        return self._call(
            key, lambda: bytes(obstore.get_range(self._store, key, start=offset, length=length))
        )

    def open(self, key: str) -> IO[bytes]:
        import obstore

        reader = self._call(key, lambda: obstore.open_reader(self._store, key))
        return io.BufferedReader(_ReadableObject(reader), buffer_size=256 * 1024)

    def exists(self, key: str) -> bool:
        import obstore

        try:
            self._call(key, lambda: obstore.head(self._store, key))
        except ObjectMissingError:
            return False
        return True

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        import obstore

        try:
            for page in obstore.list(self._store, prefix=prefix or None):
                for meta in page:
                    yield StoredObject(str(meta["path"]), int(meta["size"]), meta["last_modified"])
        except Exception as exc:
            raise StoreError(f"capture store {self.url}: {self._one_line(exc)}") from None

    def delete(self, key: str) -> None:
        import obstore

        self._call(key, lambda: obstore.delete(self._store, key))

    def _call(self, key: str, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except FileNotFoundError:
            raise ObjectMissingError(self.url, key) from None
        except Exception as exc:  # obstore's errors carry a multi-line debug dump; keep its first line
            raise StoreError(f"capture store {self.url}, object {key}: {self._one_line(exc)}") from None

    def _one_line(self, exc: BaseException) -> str:
        """The first line of a client error, with any secret this store was given blanked out."""
        text = _one_line(exc)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


class _ReadableObject(io.RawIOBase):
    """obstore's ReadableFile as a standard binary stream (seek, tell, read)."""

    def __init__(self, reader: object) -> None:
        self._reader = reader

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return int(self._reader.seek(offset, whence))  # type: ignore[attr-defined]

    def tell(self) -> int:
        return int(self._reader.tell())  # type: ignore[attr-defined]

    def read(self, size: int = -1) -> bytes:
        return bytes(self._reader.read(size if size >= 0 else None))  # type: ignore[attr-defined]

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._reader.close()  # type: ignore[attr-defined]
        super().close()


def _remaining_bytes(file: IO[bytes]) -> int | None:
    """How many bytes ``file`` holds past its position, if it is a regular file on disk (else None)."""
    try:
        file.flush()  # a spool's last writes may still sit in its buffer
        status = os.fstat(file.fileno())
        return status.st_size - file.tell() if S_ISREG(status.st_mode) else None
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None


def read_chunks(objects: ObjectStore, key: str, size: int = 8 * 1024 * 1024) -> Iterator[bytes]:
    """An object's bytes in pieces, so no object is ever held whole."""
    with objects.open(key) as handle:
        while chunk := handle.read(size):
            yield chunk


def _boto3_credentials(profile: str) -> object:
    """For a profile whose keys come from SSO, a role or a process: only botocore knows how to get them."""
    try:
        from obstore.auth.boto3 import Boto3CredentialProvider
    except ImportError:
        raise StoreError(
            f"AWS profile {profile} gets its keys through SSO, a role or a process, which needs boto3 "
            "installed (pip install boto3); or give it aws_access_key_id and aws_secret_access_key"
        ) from None
    import boto3  # type: ignore[import-untyped]

    return Boto3CredentialProvider(boto3.Session(profile_name=profile))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def is_s3_url(location: str | None) -> bool:
    return location is not None and urlsplit(location).scheme == S3_SCHEME


def mask_url(url: str) -> str:
    """``url`` without any user or password it carries."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return parts._replace(netloc=f"***@{host}").geturl()


@cache
def s3_objects(url: str) -> S3Objects:
    """One client per URL and process: its connection pool is reused by every read and write."""
    return S3Objects(url)


def _load_syncfs() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function


_syncfs: Final = _load_syncfs()
