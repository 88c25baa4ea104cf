"""factledger.files.safe_output: one function, on temp files (the CLI's use is tests/exchange/test_export_files.py)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from factledger.files import OutputPathError, check_writable_name, safe_output

pytestmark = pytest.mark.unit


def test_a_planted_link_at_any_temporary_name_is_never_followed(tmp_path: Path) -> None:
    # Hostile input: symlinks planted at every name a predictable writer could use (`out.partial`,
    # `out.tmp`, `.out.tmp`), each pointing at a file the attacker wants overwritten.
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    target = tmp_path / "out.jsonl"
    for name in ("out.jsonl.partial", "out.jsonl.tmp", ".out.jsonl.tmp"):
        (tmp_path / name).symlink_to(victim)
    with safe_output(target) as stream:
        stream.write("exported\n")
    assert victim.read_text() == "precious\n"
    assert target.read_text() == "exported\n"
    assert not target.is_symlink()


def test_a_failure_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    target.chmod(0o640)

    def fail_midway() -> None:
        with safe_output(target) as stream:
            stream.write("half")
            raise RuntimeError("the export failed midway")

    with pytest.raises(RuntimeError):
        fail_midway()
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    with safe_output(target) as stream:
        stream.write("new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the file keeps the permissions it had


def test_a_fifo_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    # Hostile input: a FIFO as the target; renaming over it would replace the node with a file.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    with safe_output(fifo, "wb") as stream:
        stream.write(b"through the pipe\n")
    reader.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_device_is_written_and_its_error_reaches_the_caller(tmp_path: Path) -> None:
    # Hostile input: a copy of /dev/full (a character device that refuses every write with ENOSPC).
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    full = tmp_path / "full"
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))

    def write_to_full() -> None:
        with safe_output(full) as stream:
            stream.write("x" * 10)

    with pytest.raises(OSError, match="No space left"):
        write_to_full()
    assert stat.S_ISCHR(os.stat(full).st_mode)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "the output file name is empty"),
        ("no/such/dir/out.jsonl", "no such directory"),
        (".", "it is a directory"),
    ],
)
def test_names_that_cannot_be_written_are_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputPathError, match=message):
        check_writable_name(name)

    def write() -> None:
        with safe_output(name) as stream:
            stream.write("never")

    with pytest.raises(OutputPathError, match=message):
        write()
    assert list(tmp_path.iterdir()) == []
