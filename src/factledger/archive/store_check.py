"""``store check`` and ``store migrate``: the capture store against what the ledger says it holds.

**Check** reads every capture a snapshot points at (one ranged read each) and verifies it: a response
record's payload must hash to the snapshot's ``payload_sha256``, a revisit must be a revisit, and the
capture's full text must be readable and match its ref. For a big bucket, a ``Sample`` reads back only
a random subset (a count or a percentage), drawn from the captures in id order with a seed that the
report gives, so the same sample can be drawn again while the ledger is unchanged. It also lists *orphans*: WARC objects no
snapshot points into, and texts and sidecars nothing refers to. In a bucket these are what a crash
between a PUT and its commit leaves (harmless: nothing points at them); ``--remove-orphans`` deletes
them. Objects younger than ``ORPHAN_GRACE`` are never called orphans, because a live worker may be
about to commit the rows that point at them.

**Migrate** copies every object of one store into another, reads each back and compares digests, so a
team that started on one laptop can move its captures to a bucket (then point ``store`` at it). Objects
are streamed in pieces (multipart uploads to S3), so a 1 GiB WARC file is never held in memory.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from factledger.archive.capture_store import ArchivePaths, CaptureStore, open_store
from factledger.archive.objects import (
    ObjectMissingError,
    ObjectStore,
    StoredObject,
    StoreError,
    read_chunks,
)
from factledger.archive.textstore import CorruptTextError
from factledger.archive.warc.records import WARC_SUFFIX, WarcError, WarcLocation
from factledger.ledger.database import Ledger
from factledger.ledger.store_queries import (
    StoredCapture,
    referenced_payload_digests,
    referenced_text_refs,
    referenced_warc_files,
    stored_capture_count,
    stored_captures,
)

ORPHAN_GRACE: Final = timedelta(minutes=15)
_TEXT_OBJECT = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/([0-9a-f]{64})\.([a-z][a-z0-9]{0,15})\.gz")


class SampleError(ValueError):
    """A sample size that is neither a count nor a percentage."""


@dataclass(frozen=True)
class Sample:
    """Which captures ``check_store`` reads back: ``count`` of them, or ``percent`` of all of them (at
    least one), drawn with ``seed`` (a new one each time unless given)."""

    count: int | None = None
    percent: float | None = None
    seed: int = field(default_factory=lambda: secrets.randbelow(2**32))

    @classmethod
    def parse(cls, size: str, seed: int | None = None) -> Sample:
        """``"500"`` (captures) or ``"2%"`` (of all captures)."""
        text = size.strip()
        try:
            value = float(text.removesuffix("%")) if text.endswith("%") else int(text)
        except ValueError:
            raise SampleError(
                f"a sample is a number of captures or a percentage (500, 2%), not {size}"
            ) from None
        if text.endswith("%") and not 0 < value <= 100:
            raise SampleError(f"a sample percentage is above 0 and at most 100, not {size}")
        if not text.endswith("%") and value < 1:
            raise SampleError(f"a sample is at least one capture, not {size}")
        count, percent = (None, value) if text.endswith("%") else (int(value), None)
        return cls(count, percent) if seed is None else cls(count, percent, seed)

    @property
    def size(self) -> str:
        """As ``parse`` reads it back."""
        return f"{self.percent:g}%" if self.percent is not None else str(self.count)

    def positions(self, total: int) -> list[int]:
        """The positions (in id order) of the captures to read, out of ``total``, in ascending order."""
        wanted = self.count if self.count is not None else math.ceil(total * (self.percent or 0) / 100)
        return sorted(random.Random(self.seed).sample(range(total), min(total, wanted)))


@dataclass
class CheckReport:
    store: str
    captures_checked: int = 0
    problems: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)  # "warcs/<key>" or "text/<key>"
    removed: int = 0
    captures: int = 0  # in the ledger; more than captures_checked when sampled
    sample: Sample | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        sample = self.sample
        return {
            "store": self.store,
            "ok": self.ok,
            "captures": self.captures,
            "captures_checked": self.captures_checked,
            "sample": None if sample is None else {"size": sample.size, "seed": sample.seed},
            "problems": self.problems,
            "orphans": self.orphans,
            "removed": self.removed,
        }


def check_store(
    ledger: Ledger,
    paths: ArchivePaths,
    *,
    remove_orphans: bool = False,
    now: datetime | None = None,
    sample: Sample | None = None,
) -> CheckReport:
    """Read back every capture (or a ``sample`` of them) and verify it; list orphaned objects (all of
    them, sampled or not)."""
    store = open_store(paths)
    report = CheckReport(paths.describe(), sample=sample)
    with ledger.read() as session:
        if sample is None:
            captures = list(stored_captures(session))
            report.captures = len(captures)
        else:
            report.captures = stored_capture_count(session)
            wanted = iter(sample.positions(report.captures))
            # One pass over the rows in id order, keeping those at the drawn positions.
            captures = []
            next_wanted = next(wanted, None)
            for position, capture in enumerate(stored_captures(session)):
                if next_wanted is None:
                    break
                if position == next_wanted:
                    captures.append(capture)
                    next_wanted = next(wanted, None)
        warc_files = referenced_warc_files(session)
        text_refs = referenced_text_refs(session)
        digests = referenced_payload_digests(session)
    for capture in captures:
        problem = _check_capture(store, capture)
        report.captures_checked += 1
        if problem is not None:
            report.problems.append(f"snapshot {capture.snapshot_id}: {problem}")
    cutoff = (now or datetime.now(UTC)) - ORPHAN_GRACE
    orphans = [
        ("warcs", store.warcs, stored)
        for stored in _settled(store.warcs, cutoff)
        if stored.key.endswith(WARC_SUFFIX) and stored.key not in warc_files
    ]
    orphans += [
        ("text", store.texts.objects, stored) for stored in _orphan_texts(store, text_refs, digests, cutoff)
    ]
    for prefix, objects, stored in orphans:
        report.orphans.append(f"{prefix}/{stored.key}")
        if remove_orphans:
            objects.delete(stored.key)
            report.removed += 1
    return report


def _check_capture(store: CaptureStore, capture: StoredCapture) -> str | None:
    location = WarcLocation(capture.warc_filename, capture.warc_offset, capture.warc_length)
    try:
        record = store.read_record(location)
    except (ObjectMissingError, WarcError) as exc:
        return str(exc)
    if capture.is_revisit != record.is_revisit:
        return f"the record at {capture.warc_filename}:{capture.warc_offset} is a {record.record_type}"
    if not record.is_revisit and capture.payload_sha256 is not None:
        digest = hashlib.sha256(record.payload).hexdigest()
        if digest != capture.payload_sha256:
            return f"the payload at {capture.warc_filename}:{capture.warc_offset} does not match its digest"
    if capture.full_text_ref is not None:
        try:
            store.texts.get(capture.full_text_ref)
        except (ObjectMissingError, CorruptTextError) as exc:
            return str(exc)
    return None


def _settled(objects: ObjectStore, cutoff: datetime) -> Iterator[StoredObject]:
    for stored in objects.list():
        if stored.modified is None or stored.modified < cutoff:
            yield stored


def _orphan_texts(
    store: CaptureStore, text_refs: set[str], digests: set[str], cutoff: datetime
) -> Iterator[StoredObject]:
    """Texts no snapshot or readable record refers to, and sidecars of texts or payloads that are gone."""
    texts = store.texts
    listed = list(_settled(texts.objects, cutoff))
    # A readable record (keyed by a payload digest) refers to its own text: keep the texts of those
    # whose capture is still in the ledger.
    kept_refs = set(text_refs)
    for stored in listed:
        match = _TEXT_OBJECT.fullmatch(stored.key)
        if match and match.group(2) == "readable" and match.group(1) in digests:
            readable_ref = texts.readable_text_ref(match.group(1))
            if readable_ref is not None:
                kept_refs.add(readable_ref)
    for stored in listed:
        match = _TEXT_OBJECT.fullmatch(stored.key)
        if match is None:
            continue
        key, kind = match.group(1), match.group(2)
        owner_kept = key in digests if kind == "readable" else key in kept_refs
        if not owner_kept:
            yield stored


@dataclass
class MigrateReport:
    source: str
    target: str
    objects: int = 0
    bytes: int = 0
    skipped: int = 0  # already in the target with the same digest

    def as_dict(self) -> dict[str, object]:
        return {
            "from": self.source,
            "to": self.target,
            "objects": self.objects,
            "bytes": self.bytes,
            "skipped": self.skipped,
        }


def _hashed(chunks: Iterator[bytes], digest: Any) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


def _digest(objects: ObjectStore, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in read_chunks(objects, key):
        digest.update(chunk)
    return digest.hexdigest()


class MigrationError(StoreError):
    """An object did not arrive intact."""


def migrate_store(
    source: ArchivePaths, target: ArchivePaths, *, on_object: Callable[[str], None] | None = None
) -> MigrateReport:
    """Copy every WARC object and text of ``source`` into ``target``, each read back and its SHA-256
    compared; an object already there with the same digest is left as it is."""
    origin, destination = open_store(source), open_store(target)
    report = MigrateReport(source.describe(), target.describe())
    pairs = ((origin.warcs, destination.warcs), (origin.texts.objects, destination.texts.objects))
    for from_objects, to_objects in pairs:
        for stored in from_objects.list():
            if to_objects.exists(stored.key) and _digest(to_objects, stored.key) == _digest(
                from_objects, stored.key
            ):
                report.skipped += 1
                continue
            digest = hashlib.sha256()
            to_objects.put_stream(stored.key, _hashed(read_chunks(from_objects, stored.key), digest))
            if _digest(to_objects, stored.key) != digest.hexdigest():
                raise MigrationError(f"{stored.key} differs in {to_objects.name} after the copy")
            report.objects += 1
            report.bytes += stored.size
            if on_object is not None:
                on_object(stored.key)
    return report
