"""The shared pieces of the WARC package: record ids, WARC dates, and which locations a store accepts."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from factledger.archive.warc.records import (
    WarcError,
    WarcLocation,
    check_filename,
    check_location,
    new_record_id,
    warc_date,
)

pytestmark = pytest.mark.unit


def test_record_ids_are_fresh_uuid4_urns() -> None:
    ids = [new_record_id() for _ in range(1000)]
    assert len(set(ids)) == len(ids)
    for record_id in ids[:10]:
        match = re.fullmatch(r"<urn:uuid:([0-9a-f-]{36})>", record_id)
        assert match is not None
        assert uuid.UUID(match.group(1)).version == 4


def test_warc_dates_are_utc_with_microseconds() -> None:
    moment = datetime(2024, 3, 1, 13, 0, 0, 250_000, tzinfo=timezone(timedelta(hours=1)))
    assert warc_date(moment) == "2024-03-01T12:00:00.250000Z"
    assert (
        warc_date(datetime(2024, 3, 1, tzinfo=UTC)) == "2024-03-01T00:00:00Z"
    )  # warcio leaves out zero microseconds
    with pytest.raises(ValueError, match="aware"):
        warc_date(datetime(2024, 3, 1))  # naive


@pytest.mark.parametrize(
    "name",
    ["", "../x.warc.gz", "a/b.warc.gz", "a\\b.warc.gz", ".hidden.warc.gz", "x.warc", "x.warc.gz.creating"],
)
def test_names_that_are_not_plain_store_files_are_refused(name: str) -> None:
    with pytest.raises(WarcError, match="not a WARC file name"):
        check_filename(name)
    with pytest.raises(WarcError, match="not a WARC file name"):
        check_location(WarcLocation(name, 0, 10))


@pytest.mark.parametrize(("offset", "length"), [(-1, 10), (0, 0), (5, -3)])
def test_locations_without_a_byte_range_are_refused(offset: int, length: int) -> None:
    with pytest.raises(WarcError, match="invalid record location"):
        check_location(WarcLocation("factledger-x.warc.gz", offset, length))


def test_a_plain_store_location_passes() -> None:
    check_filename("factledger-20240101000000-w-00000.warc.gz")
    check_location(WarcLocation("factledger-20240101000000-w-00000.warc.gz", 0, 1))
