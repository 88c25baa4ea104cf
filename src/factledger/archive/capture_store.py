"""The capture store: where a ledger's WARC data and texts live, local or in a bucket.

``ArchivePaths`` says where: two local directories (``warcs/`` and ``text/`` under the home, the
default), or an S3 URL (``store = "s3://bucket/prefix"``), under which WARC objects sit at
``<prefix>/warcs/`` and texts and sidecars at ``<prefix>/text/``, keyed by digest. The scratch directory
(fetched bodies on their way into a record) is always local.

Every reader and writer of captures goes through ``open_store``: the archiver, verify, the reader,
``sources snapshot``, ``export wacz``, ``store check`` and ``store migrate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from factledger.archive.objects import LocalObjects, ObjectStore, StoreError, is_s3_url, mask_url, s3_objects
from factledger.archive.textstore import TextStore
from factledger.archive.warc.reader import StoredResponse, read_record
from factledger.archive.warc.records import WarcLocation
from factledger.archive.warc.store import ObjectWarcWriter, WarcStore

WARCS_PREFIX = "warcs"
TEXTS_PREFIX = "text"


@dataclass(frozen=True)
class ArchivePaths:
    warcs: Path
    texts: Path
    scratch: Path
    store: str | None = None  # "s3://bucket/prefix"; None: the two local directories above

    @classmethod
    def under(cls, home: Path, store: str | None = None) -> ArchivePaths:
        """The store in ``home``, or the one ``store`` names: an S3 URL, or a local directory (a path
        or ``file://`` URL) holding ``warcs/`` and ``text/`` as a home does."""
        root = home
        if store:
            if is_s3_url(store):
                return cls(warcs=home / "warcs", texts=home / "text", scratch=home / "tmp", store=store)
            parts = urlsplit(store)
            if parts.scheme not in ("", "file"):
                raise StoreError(
                    f"unknown capture store {mask_url(store)} (use s3://bucket/prefix or a directory)"
                )
            root = Path(parts.path if parts.scheme == "file" else store).expanduser()
        return cls(warcs=root / "warcs", texts=root / "text", scratch=home / "tmp")

    @property
    def is_local(self) -> bool:
        return not is_s3_url(self.store)

    def describe(self) -> str:
        """Where the captures are, for people (never with credentials)."""
        if self.store and not self.is_local:
            return open_store(self).warcs.name.removesuffix(f"/{WARCS_PREFIX}")
        return str(self.warcs.parent if self.warcs.parent == self.texts.parent else self.warcs)


WarcWriter = WarcStore | ObjectWarcWriter


@dataclass(frozen=True)
class CaptureStore:
    warcs: ObjectStore
    texts: TextStore
    scratch: Path | None = None  # local, for what is on its way into the store

    def read_record(self, location: WarcLocation) -> StoredResponse:
        """The response or revisit record at ``location``: one ranged read."""
        return read_record(self.warcs, location)

    def warc_writer(self, writer_name: str, max_file_bytes: int) -> WarcWriter:
        if isinstance(self.warcs, LocalObjects):
            return WarcStore(self.warcs.root, writer_name=writer_name, max_file_bytes=max_file_bytes)
        return ObjectWarcWriter(self.warcs, writer_name=writer_name, spool_dir=self.scratch)


@cache
def open_store(paths: ArchivePaths) -> CaptureStore:
    """The store ``paths`` names; one per process, so an S3 client's connections are reused."""
    if paths.store is not None and is_s3_url(paths.store):
        base = paths.store.rstrip("/")
        return CaptureStore(
            warcs=s3_objects(f"{base}/{WARCS_PREFIX}"),
            texts=TextStore(s3_objects(f"{base}/{TEXTS_PREFIX}")),
            scratch=paths.scratch,
        )
    return CaptureStore(warcs=LocalObjects(paths.warcs), texts=TextStore(LocalObjects(paths.texts)))
