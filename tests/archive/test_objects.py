"""The object interface under the capture store, on a local directory (the S3 back end runs the same
operations against moto in test_capture_store.py and the archive tests)."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from factledger.archive import objects as objects_module
from factledger.archive.capture_store import ArchivePaths
from factledger.archive.objects import LocalObjects, ObjectMissingError, StoreError, mask_url
from factledger.archive.textstore import TextNotFoundError

pytestmark = pytest.mark.unit


def test_local_objects_put_read_ranges_list_and_delete(tmp_path: Path) -> None:
    objects = LocalObjects(tmp_path / "store")
    objects.put("ab/cd/one.gz", b"0123456789")
    made: list[bytes] = []

    def make(data: bytes) -> bytes:
        made.append(data)
        return data

    objects.put_if_absent("ab/cd/one.gz", lambda: make(b"other bytes"))  # content-addressed: the first stays
    assert made == []  # present: its bytes are not even made
    objects.put_if_absent("ab/cd/two.gz", lambda: make(b"2"))
    assert made == [b"2"]
    objects.delete("ab/cd/two.gz")
    assert objects.get("ab/cd/one.gz") == b"0123456789"
    assert objects.get_range("ab/cd/one.gz", 3, 4) == b"3456"
    with objects.open("ab/cd/one.gz") as handle:
        handle.seek(8)
        assert handle.read() == b"89"
    assert [(o.key, o.size) for o in objects.list()] == [("ab/cd/one.gz", 10)]
    objects.delete("ab/cd/one.gz")
    assert not objects.exists("ab/cd/one.gz")


def test_a_durable_put_fsyncs_each_directory_it_made_and_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new fan-out directory survives a crash only if its parent is fsynced; one that was there
    # already needs nothing but the object's own directory.
    synced: list[Path] = []
    monkeypatch.setattr(objects_module, "fsync_path", lambda path: synced.append(Path(path)))
    root = tmp_path / "store"
    objects = LocalObjects(root)
    objects.put("ab/cd/one.gz", b"1")
    assert sorted(synced) == sorted([tmp_path, root, root / "ab", root / "ab" / "cd"])
    synced.clear()
    objects.put("ab/ef/two.gz", b"2")
    assert sorted(synced) == sorted([root / "ab", root / "ab" / "ef"])
    synced.clear()
    objects.put("ab/ef/three.gz", b"3")
    assert synced == [root / "ab" / "ef"]
    synced.clear()
    objects.put("ab/ef/four.gz", b"4", durable=False)
    assert synced == []
    assert objects.get("ab/ef/two.gz") == b"2"


def test_a_missing_object_names_the_store_and_the_key_and_survives_pickling(tmp_path: Path) -> None:
    objects = LocalObjects(tmp_path)
    with pytest.raises(ObjectMissingError, match=f"capture store {tmp_path} has no object nope.warc.gz"):
        objects.get("nope.warc.gz")
    error = pickle.loads(pickle.dumps(TextNotFoundError(str(tmp_path), "ab/cd/x.txt.gz")))  # from a worker
    assert isinstance(error, TextNotFoundError)
    assert error.key == "ab/cd/x.txt.gz"


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../outside", "a/../../b", "a//b", "./a"])
def test_keys_never_leave_the_store(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="not an object key"):
        LocalObjects(tmp_path).get(key)


def test_sweep_removes_only_old_temporary_files(tmp_path: Path) -> None:
    objects = LocalObjects(tmp_path)
    (tmp_path / "ab").mkdir()
    old = tmp_path / "ab" / ".deadbeef-x.tmp"
    fresh = tmp_path / "ab" / ".cafebabe-y.tmp"  # a put in progress
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert objects.sweep_temporary() == 1
    assert not old.exists()
    assert fresh.exists()


def test_store_urls_and_masking(tmp_path: Path) -> None:
    assert ArchivePaths.under(tmp_path).warcs == tmp_path / "warcs"
    elsewhere = ArchivePaths.under(tmp_path, str(tmp_path / "shared"))
    assert (elsewhere.warcs, elsewhere.texts) == (tmp_path / "shared" / "warcs", tmp_path / "shared" / "text")
    assert elsewhere.scratch == tmp_path / "tmp"
    assert ArchivePaths.under(tmp_path, "s3://bucket/prefix").store == "s3://bucket/prefix"
    with pytest.raises(StoreError, match=r"unknown capture store gs://\*\*\*@bucket"):
        ArchivePaths.under(tmp_path, "gs://key:secret@bucket/x")
    assert mask_url("s3://AKIA:secret@bucket/p") == "s3://***@bucket/p"
