"""app.capture: the one way to capture particular sources now, and the archive pass, both with the
quote checks wired (a cited quote is verified as its capture lands)."""

from __future__ import annotations

from pathlib import Path

import pytest

from factledger.app import claims, review
from factledger.app.capture import archive_due, capture_now, source_ids_of_claim
from factledger.archive.runner import ArchivePaths, RunOptions
from factledger.ledger.database import Ledger
from factledger.ledger.statuses import Stance
from tests.site_server import Site

pytestmark = pytest.mark.integration

ACTOR = "tester"
LOOPBACK = RunOptions(allow_private=True)


def _claim_citing(ledger: Ledger, text: str, url: str, quote: str) -> int:
    claim_id = int(claims.add_claim(lambda: ledger, ACTOR, text, None, [])["id"])
    review.cite(ledger, ACTOR, claim_id, url, Stance.SUPPORTS, quote=quote)
    return claim_id


def _quote_statuses(ledger: Ledger, claim_id: int) -> list[str]:
    return [item["quote_status"] for item in claims.show_claim(ledger, claim_id)["evidence"]]


def test_capture_now_fetches_only_the_given_sources_and_checks_their_quotes(
    ledger: Ledger, site: Site, tmp_path: Path
) -> None:
    paths = ArchivePaths.under(tmp_path)
    # Three cited sources, all due: the pass must take the one asked for, not the others.
    wanted = _claim_citing(
        ledger,
        "The bridge reopened in May.",
        site.html("/b", "The bridge reopened in May."),
        "reopened in May",
    )
    other = _claim_citing(ledger, "Fares rose by 5%.", site.html("/a", "Fares rose by 5%."), "rose by 5%")
    _claim_citing(ledger, "Ridership fell.", site.html("/c", "Ridership fell."), "Ridership fell")

    [source_id] = source_ids_of_claim(ledger, wanted)
    summary = capture_now(ledger, ACTOR, paths, LOOPBACK, [source_id])

    assert (summary.attempted, summary.ok) == (1, 1)
    assert site.hits["/b"] == 1
    assert site.hits["/a"] == site.hits["/c"] == 0
    assert _quote_statuses(ledger, wanted) == ["found"]  # verified as the capture landed
    assert _quote_statuses(ledger, other) == ["unchecked"]


def test_capture_now_of_no_sources_fetches_nothing(ledger: Ledger, site: Site, tmp_path: Path) -> None:
    _claim_citing(ledger, "Fares rose by 5%.", site.html("/a", "Fares rose by 5%."), "rose by 5%")
    summary = capture_now(ledger, ACTOR, ArchivePaths.under(tmp_path), LOOPBACK, [])
    assert summary.attempted == 0
    assert site.hits["/a"] == 0


def test_archive_due_captures_what_is_due_and_everything_on_recheck(
    ledger: Ledger, site: Site, tmp_path: Path
) -> None:
    paths = ArchivePaths.under(tmp_path)
    claim_id = _claim_citing(ledger, "Fares rose by 5%.", site.html("/a", "Fares rose by 5%."), "rose by 5%")
    _claim_citing(ledger, "Ridership fell.", site.html("/c", "Ridership fell."), "Ridership fell")

    first = archive_due(ledger, ACTOR, paths, LOOPBACK)
    assert (first.attempted, first.ok) == (2, 2)
    assert _quote_statuses(ledger, claim_id) == ["found"]

    assert archive_due(ledger, ACTOR, paths, LOOPBACK).attempted == 0  # nothing is due again yet
    again = archive_due(ledger, ACTOR, paths, LOOPBACK, recheck=True)
    assert again.attempted == 2
    assert site.hits["/a"] == site.hits["/c"] == 2
