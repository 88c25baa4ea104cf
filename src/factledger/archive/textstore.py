"""Extracted texts live outside the database, content-addressed: ``ab/cd/<sha256>.txt.gz`` in the capture
store's text objects (objects.py: a directory, or a bucket).

A Snapshot row keeps only the ref (the SHA-256 of the UTF-8 text), so a million snapshots stay lean and
identical texts (an unchanged page, a PDF whose full and main text are the same) are stored once.

Beside a text may sit *sidecars*: ``<sha256>.<kind>.gz``, data derived from the text (quote matching
keeps the normalized text and its offset map there, so a page is normalized once, not once per check).
A sidecar can always be rebuilt from its text, so it is written atomically but not fsynced, and one
that is missing or unreadable reads as absent.

A sidecar may also be keyed by a capture's payload digest (the SHA-256 of the response body as
received) rather than by a text ref: the ``readable`` sidecar keeps what ingest reads from a page (see
``put_readable``), derived once from the capture and shared by every capture with the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Final, cast, get_args

from isal import igzip, isal_zlib

from factledger.archive.objects import LocalObjects, ObjectMissingError, ObjectStore
from factledger.text import Kind, ReadableText

_REF = re.compile(r"[0-9a-f]{64}")
_SIDECAR_KIND = re.compile(r"[a-z][a-z0-9]{0,15}")
# ISA-L's level 2, as for the WARC members (warc/build.py): standard gzip in a tenth of zlib level 6's
# time. Against ISA-L's best level (3): 0.14 against 0.19 ms of CPU for a 53 KB page's text, in the
# archiver's worker processes, for 1.7% more bytes (measured on the archive benchmark's texts).
_COMPRESS_LEVEL: Final = 2
# Sidecars are written on every capture of a quoted source and read on every check: ISA-L's fastest
# level writes a 66 KB sidecar in 0.12 ms (zlib level 1: 0.39 ms) for the same size.
_SIDECAR_COMPRESS_LEVEL: Final = 1
# isal's stub declares ``error`` as an instance; at run time it is the exception class zlib errors raise.
_INFLATE_ERROR: Final = cast(type[Exception], isal_zlib.error)
_READABLE: Final = "readable"
_READABLE_KINDS: Final = get_args(Kind)


class TextNotFoundError(ObjectMissingError, LookupError):
    """No stored text has this ref."""


class CorruptTextError(Exception):
    """A stored text no longer matches its ref."""


def text_ref(text: str) -> str:
    """The ref ``put`` returns for ``text``, computed without storing it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_key(ref: str) -> str:
    """The object key of the text with this ref: ``ab/cd/<ref>.txt.gz``."""
    if not _REF.fullmatch(ref):
        raise ValueError(f"not a text ref (64 lowercase hex digits): {ref!r}")
    return f"{ref[:2]}/{ref[2:4]}/{ref}.txt.gz"


def sidecar_key(ref: str, kind: str) -> str:
    if not _SIDECAR_KIND.fullmatch(kind) or kind == "txt":
        raise ValueError(f"not a sidecar kind (lowercase letters and digits, not 'txt'): {kind!r}")
    return text_key(ref).removesuffix(".txt.gz") + f".{kind}.gz"


class TextStore:
    """Content-addressed, gzip-compressed texts in an object store (a directory by default); safe across
    threads and processes."""

    def __init__(self, objects: ObjectStore | Path) -> None:
        self.objects: ObjectStore = LocalObjects(objects) if isinstance(objects, Path) else objects

    @property
    def directory(self) -> Path:
        """The directory of a local store (tests and tools that look at the files)."""
        if not isinstance(self.objects, LocalObjects):
            raise TypeError(f"the text store at {self.objects.name} is not a local directory")
        return self.objects.root

    def path_for(self, ref: str) -> Path:
        return self.directory / text_key(ref)

    def put(self, text: str, *, durable: bool = True) -> str:
        """Store ``text`` (once) and return its ref; durable when this returns, unless ``durable=False``:
        then it is only atomically in place, and ``make_durable`` must follow before anything that must
        survive a power cut points at it."""
        data = text.encode("utf-8")
        ref = hashlib.sha256(data).hexdigest()
        self.objects.put_if_absent(
            text_key(ref),
            lambda: igzip.compress(data, compresslevel=_COMPRESS_LEVEL, mtime=0),
            durable=durable,
        )
        return ref

    def make_durable(self, refs: Iterable[str]) -> None:
        """Flush texts that were put with ``durable=False`` (one syncfs for a local store's group)."""
        self.objects.make_durable([text_key(ref) for ref in refs])

    def get(self, ref: str) -> str:
        key = text_key(ref)
        try:
            compressed = self.objects.get(key)
        except ObjectMissingError:
            raise TextNotFoundError(self.objects.name, key) from None
        try:
            data = isal_zlib.decompress(compressed, 31)  # one gzip member, CRC and length checked
        except _INFLATE_ERROR as exc:
            raise CorruptTextError(f"stored text {ref} is not valid gzip: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != ref:
            raise CorruptTextError(f"stored text {ref} does not match its digest")
        return data.decode("utf-8")

    def sidecar_path(self, ref: str, kind: str) -> Path:
        return self.directory / sidecar_key(ref, kind)

    def has_sidecar(self, ref: str, kind: str) -> bool:
        return self.objects.exists(sidecar_key(ref, kind))

    def put_sidecar(self, ref: str, kind: str, data: bytes) -> None:
        """Store ``data`` derived from text ``ref``, replacing any earlier version atomically. Not made
        durable: a sidecar can always be rebuilt from its text."""
        compressed = igzip.compress(data, compresslevel=_SIDECAR_COMPRESS_LEVEL, mtime=0)
        self.objects.put(sidecar_key(ref, kind), compressed, durable=False)

    def get_sidecar(self, ref: str, kind: str) -> bytes | None:
        """The sidecar's data, or None when there is none or it is damaged (rebuild it from the text)."""
        try:
            compressed = self.objects.get(sidecar_key(ref, kind))
        except ObjectMissingError:
            return None
        # The gzip trailer's length field sizes the output buffer up front, which saves a quarter of
        # the time of growing it; capped, because a damaged trailer can claim anything.
        size_hint = min(int.from_bytes(compressed[-4:], "little"), 64 * len(compressed) + 65536)
        try:
            # wbits=31: a gzip member, whose CRC and length are checked, catching a truncated or altered
            # file. ISA-L inflates a sidecar in about half of zlib's time, and every quote check loads one.
            return isal_zlib.decompress(compressed, 31, max(size_hint, 1024))
        except _INFLATE_ERROR:
            return None

    def put_readable(self, payload_sha256: str, content_type: str | None, readable: ReadableText) -> None:
        """Keep what ingest reads from the capture whose payload has this digest; its text goes into the
        store like any other. ``content_type`` is the capture's: the same bytes under another type read
        differently, so ``get_readable`` answers only for the same type."""
        text_ref = self.put(readable.text) if readable.text else None
        record = {
            "content_type": content_type,
            "kind": readable.kind,
            "text_ref": text_ref,
            "title": readable.title,
            "published": readable.published.isoformat() if readable.published else None,
            "main": readable.main,
        }
        self.put_sidecar(payload_sha256, _READABLE, json.dumps(record).encode("utf-8"))

    def get_readable(self, payload_sha256: str, content_type: str | None) -> ReadableText | None:
        """What ``put_readable`` kept for this payload and content type; None when there is nothing
        usable (absent, damaged, its text gone, another content type): derive it again."""
        data = self.get_sidecar(payload_sha256, _READABLE)
        if data is None:
            return None
        try:
            record = json.loads(data)
            if record["content_type"] != content_type or record["kind"] not in _READABLE_KINDS:
                return None
            text = self.get(record["text_ref"]) if record["text_ref"] is not None else None
            published = date.fromisoformat(record["published"]) if record["published"] else None
            title = record["title"]
            main = record["main"]  # absent from a record kept before it was: derive that one again
        except (ValueError, KeyError, TypeError, TextNotFoundError, CorruptTextError):
            return None
        if (title is not None and not isinstance(title, str)) or not isinstance(main, bool):
            return None
        return ReadableText(record["kind"], text, title, published, main)

    def readable_text_ref(self, payload_sha256: str) -> str | None:
        """The ref of the text the readable record of this payload keeps, if there is one."""
        data = self.get_sidecar(payload_sha256, _READABLE)
        try:
            ref = json.loads(data)["text_ref"] if data is not None else None
        except (ValueError, KeyError, TypeError):
            return None
        return ref if isinstance(ref, str) else None

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and bool(_REF.fullmatch(ref)) and self.objects.exists(text_key(ref))
