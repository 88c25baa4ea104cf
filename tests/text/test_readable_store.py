"""The text store keeps what ingest reads from a capture under the payload's digest."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from factledger.archive.textstore import TextStore
from factledger.text import ReadableText

pytestmark = pytest.mark.unit

DIGEST = hashlib.sha256(b"the payload as received").hexdigest()
HTML = "text/html; charset=utf-8"
READABLE = ReadableText("html", "Main text.\nSecond line.", "A title", date(2024, 1, 14))


def test_kept_readable_text_reads_back(tmp_path: Path) -> None:
    store = TextStore(tmp_path)
    assert store.get_readable(DIGEST, HTML) is None
    store.put_readable(DIGEST, HTML, READABLE)
    assert store.get_readable(DIGEST, HTML) == READABLE
    assert READABLE.text is not None
    assert hashlib.sha256(READABLE.text.encode()).hexdigest() in store  # the text itself is a stored text
    assert store.get_readable(hashlib.sha256(b"other bytes").hexdigest(), HTML) is None


def test_empty_parts_read_back_as_none(tmp_path: Path) -> None:
    store = TextStore(tmp_path)
    empty = ReadableText("other", None, None, None)
    store.put_readable(DIGEST, None, empty)
    assert store.get_readable(DIGEST, None) == empty


def test_another_content_type_is_not_answered(tmp_path: Path) -> None:
    store = TextStore(tmp_path)
    store.put_readable(DIGEST, HTML, READABLE)
    assert store.get_readable(DIGEST, "text/plain") is None


@pytest.mark.parametrize(
    "damage",
    [b"not gzip at all", b""],
)
def test_a_damaged_record_reads_as_absent(tmp_path: Path, damage: bytes) -> None:
    store = TextStore(tmp_path)
    store.put_readable(DIGEST, HTML, READABLE)
    store.sidecar_path(DIGEST, "readable").write_bytes(damage)
    assert store.get_readable(DIGEST, HTML) is None


def test_a_record_that_is_not_the_expected_json_reads_as_absent(tmp_path: Path) -> None:
    store = TextStore(tmp_path)
    for data in (b"[1, 2]", b'{"content_type": "text/html; charset=utf-8"}', b"\xff"):
        store.put_sidecar(DIGEST, "readable", data)
        assert store.get_readable(DIGEST, HTML) is None


def test_a_record_whose_text_is_gone_reads_as_absent(tmp_path: Path) -> None:
    store = TextStore(tmp_path)
    store.put_readable(DIGEST, HTML, READABLE)
    assert READABLE.text is not None
    store.path_for(hashlib.sha256(READABLE.text.encode()).hexdigest()).unlink()
    assert store.get_readable(DIGEST, HTML) is None
