"""The archive progress bar: a total and an ETA on a terminal, nothing at all anywhere else."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import Factledger
from tests.site_server import Site

pytestmark = pytest.mark.integration


def _cite_pages(factledger: Factledger, site: Site, count: int) -> None:
    cid = str(factledger.json("claims", "add", "A claim with many sources.")["id"])
    for n in range(count):
        factledger("cite", cid, site.html(f"/p/{n}", f"Page {n}.", delay=0.05), "--stance", "context")


def test_the_bar_shows_the_number_due_and_an_eta(factledger: Factledger, site: Site) -> None:
    """`archive run` showed `38/?` although it knew how many sources were due."""
    _cite_pages(factledger, site, 3)
    env = {**os.environ, "TTY_COMPATIBLE": "1", "COLUMNS": "160"}  # rich draws as on a terminal
    run = subprocess.run(
        factledger.command("archive", "run", "--allow-private", "--concurrency", "1"),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "/3" in run.stderr
    assert "/?" not in run.stderr
    assert "ETA" in run.stderr


def test_no_bar_when_stderr_is_not_a_terminal(factledger: Factledger, site: Site) -> None:
    _cite_pages(factledger, site, 2)
    env = {k: v for k, v in os.environ.items() if k not in ("TTY_COMPATIBLE", "FORCE_COLOR")}
    run = subprocess.run(
        factledger.command("archive", "run", "--allow-private"),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "ETA" not in run.stderr
    assert "\x1b" not in run.stderr
    assert run.stderr.startswith("archived 2 sources")
