"""Reading one response or revisit record back from the store, by its location (a ranged read)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from factledger.archive.objects import LocalObjects, ObjectStore
from factledger.archive.warc.records import RevisitTarget, WarcError, WarcLocation, check_location


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A response (or revisit) record read back; the payload is raw, as stored."""

    status: int
    headers: list[tuple[str, str]]
    payload: bytes
    target_uri: str
    record_type: str  # "response" or "revisit"
    record_id: str
    date: str
    refers_to: RevisitTarget | None = None

    @property
    def is_revisit(self) -> bool:
        return self.record_type == "revisit"


def _read_member(objects: ObjectStore | Path, location: WarcLocation) -> bytes:
    check_location(location)
    name = location.filename
    store = LocalObjects(objects) if isinstance(objects, Path) else objects
    member = store.get_range(name, location.offset, location.length)  # ObjectMissingError names both
    if len(member) != location.length:
        raise WarcError(f"{name} ends before the record at {location.offset} (+{location.length}) does")
    return member


def read_record(objects: ObjectStore | Path, location: WarcLocation) -> StoredResponse:
    """Read back the response or revisit record at ``location`` (payload raw, Content-Encoding kept):
    one ranged read from the store's WARC objects (or a directory of WARC files)."""
    member = _read_member(objects, location)
    where = f"{location.filename}:{location.offset}"
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        record_type = record.rec_type
        if record_type not in ("response", "revisit"):
            raise WarcError(f"record at {where} is a {record_type}, not a response")
        payload = b"" if record_type == "revisit" else record.raw_stream.read()
    except StopIteration as exc:
        raise WarcError(f"unreadable WARC record at {where}: no record there") from exc
    except WarcError:
        raise
    except Exception as exc:  # warcio raises ArchiveLoadFailed, zlib errors, ValueError...
        raise WarcError(f"unreadable WARC record at {where}: {exc}") from exc
    rec = record.rec_headers
    http_headers = record.http_headers
    if http_headers is None:
        # Every way a damaged member reads (a zlib error, no record, no HTTP block, a status that does
        # not parse) is reported alike, so `store check` and verify say "unreadable" whichever the
        # damage happened to produce.
        raise WarcError(f"unreadable WARC record at {where}: no HTTP headers")
    try:  # a damaged record can hold a status line or a date that does not parse (found by fuzzing)
        status = int(http_headers.get_statuscode())
        refers_to = None
        if record_type == "revisit":
            refers_uri = rec.get_header("WARC-Refers-To-Target-URI")
            refers_date = rec.get_header("WARC-Refers-To-Date")
            if refers_uri and refers_date:
                refers_to = RevisitTarget(
                    uri=refers_uri, date=datetime.fromisoformat(refers_date.replace("Z", "+00:00"))
                )
    except ValueError as exc:
        raise WarcError(f"unreadable WARC record at {where}: {exc}") from exc
    return StoredResponse(
        status=status,
        headers=list(http_headers.headers),
        payload=payload,
        target_uri=rec.get_header("WARC-Target-URI") or "",
        record_type=record_type,
        record_id=rec.get_header("WARC-Record-ID") or "",
        date=rec.get_header("WARC-Date") or "",
        refers_to=refers_to,
    )
