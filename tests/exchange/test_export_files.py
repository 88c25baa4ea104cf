"""`export -o`: where the file goes, through the real CLI (issue 14, section 1). The hostile input of each
test is named in it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.conftest import Factledger

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "claimreview"])
def test_a_link_planted_at_the_old_partial_name_is_not_written_through(
    factledger: Factledger, tmp_path: Path, fmt: str
) -> None:
    # Hostile input: `report.<fmt>.partial`, the name export used to write first, is a symlink to a
    # file the user can write (on main the export wrote through it and then renamed the link away).
    claim_id = str(factledger.json("claims", "add", "Exports go where they are told.")["id"])
    assert factledger("claims", "status", claim_id, "supported").exit_code == 0  # ClaimReview: verdicts only
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    output = tmp_path / f"report.{fmt}"
    (tmp_path / f"report.{fmt}.partial").symlink_to(victim)
    result = factledger("export", fmt, "-o", str(output))
    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == "precious\n"
    assert "Exports go where they are told." in output.read_text()


def test_a_null_device_stays_a_device(factledger: Factledger, tmp_path: Path) -> None:
    # Hostile input: `-o /dev/null`. On main the export wrote /dev/null.partial and renamed it over the
    # device node (as root), or failed with an internal error (as anyone else). As root the test uses a
    # copy of the node: run against main, it must not replace the machine's own /dev/null.
    if os.geteuid() == 0:
        null = tmp_path / "null"
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    else:
        null = Path("/dev/null")
    factledger.json("claims", "add", "Nothing to keep.")
    result = factledger("export", "jsonl", "-o", str(null))
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode)


def test_a_full_device_is_exit_1_not_success(factledger: Factledger, tmp_path: Path) -> None:
    # Hostile input: a copy of /dev/full as the output; on main it was replaced by a file, exit 0.
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    full = tmp_path / "full"
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    factledger.json("claims", "add", "A claim that cannot be written.")
    result = factledger("export", "jsonl", "-o", str(full))
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith("factledger: error: ")
    assert "No space left on device" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert stat.S_ISCHR(os.stat(full).st_mode)


@pytest.mark.parametrize("fmt", ["jsonl", "wacz"])
def test_a_missing_directory_is_one_line_and_exit_1(factledger: Factledger, tmp_path: Path, fmt: str) -> None:
    # Hostile input: an output in a directory that does not exist.
    factledger.json("claims", "add", "Where would it go?")
    result = factledger("export", fmt, "-o", str(tmp_path / "nowhere" / f"out.{fmt}"))
    assert result.exit_code == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no such directory" in lines[0]


def test_an_empty_output_name_is_one_line_and_exit_1(factledger: Factledger) -> None:
    # Hostile input: `-o ""` (an unset shell variable).
    factledger.json("claims", "add", "No name.")
    result = factledger("export", "jsonl", "-o", "")
    assert result.exit_code == 1, result.stdout
    assert result.stderr == "factledger: error: the output file name is empty\n"
    assert "Traceback" not in result.stderr


def test_a_dash_is_standard_output(
    factledger: Factledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `-o -` writes to stdout, as Unix tools do, and creates no file named "-".
    monkeypatch.chdir(tmp_path)
    factledger.json("claims", "add", "To the terminal.")
    result = factledger("export", "jsonl", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "To the terminal." in result.stdout
    assert not (tmp_path / "-").exists()
