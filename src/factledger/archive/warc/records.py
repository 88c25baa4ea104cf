"""What the WARC modules share: the exchange a capture records, where a record lives, and the constants."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from warcio.timeutils import datetime_to_iso_date

from factledger.archive.payload import Payload

WARC_VERSION: Final = "1.1"
WARC_SUFFIX: Final = ".warc.gz"
# A file is created under this suffix and renamed once its warcinfo record is on disk and locked, so
# `repair` never sees (and deletes) a file a starting writer has not locked yet.
CREATING_SUFFIX: Final = ".warc.gz.creating"
REVISIT_PROFILE: Final = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
CONFORMS_TO: Final = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# Reads of payloads and WARC files go in pieces of this size, so no body is ever held whole.
READ_CHUNK: Final = 1024 * 1024


class WarcError(Exception):
    """A WARC file or record could not be written or read."""


@dataclass(frozen=True, slots=True)
class HttpExchange:
    """One HTTP request and its response, as the fetcher saw them on the wire: what a capture records."""

    target_uri: str
    request_method: str
    request_http_version: str
    request_headers: Sequence[tuple[str, str]]
    status: int
    reason: str
    http_version: str
    # Raw pairs, Transfer-Encoding already removed. Header strings hold the wire bytes decoded as
    # ISO-8859-1 (as httpx does), so they are written back byte for byte.
    response_headers: Sequence[tuple[str, str]]
    payload: Payload  # the body exactly as received: Content-Encoding not decoded
    fetched_at: datetime  # aware, UTC
    peer_ip: str | None = None


@dataclass(frozen=True, slots=True)
class WarcLocation:
    """Where a record lives: a file name inside the store's directory, the gzip member's offset and length."""

    filename: str
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class RevisitTarget:
    """The earlier capture an identical payload refers to (WARC-Refers-To-Target-URI and -Date)."""

    uri: str
    date: datetime


def warc_date(moment: datetime) -> str:
    """A WARC 1.1 date (UTC, microseconds) for an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("WARC dates need an aware datetime")
    return str(datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True))


def new_record_id() -> str:
    """A fresh WARC-Record-ID, in the ``<urn:uuid:...>`` form warcio gives the records it makes itself."""
    return f"<urn:uuid:{uuid.uuid4()}>"


def check_filename(name: str) -> None:
    """Raise WarcError unless ``name`` is a plain WARC file name that can live inside a store.

    Names come from the database: one with a path in it must never reach the filesystem.
    """
    if not name or "/" in name or "\\" in name or name.startswith(".") or not name.endswith(WARC_SUFFIX):
        raise WarcError(f"not a WARC file name of this store: {name!r}")


def check_location(location: WarcLocation) -> None:
    """Raise WarcError unless ``location`` names a store file (``check_filename``) and a non-empty range."""
    check_filename(location.filename)
    if location.offset < 0 or location.length <= 0:
        raise WarcError(f"invalid record location {location}")
