"""``store check --sample``: a big bucket is checked on a random sample of its captures, drawn again
from the printed seed; orphans are still listed in full."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factledger.app import store as app_store
from factledger.archive.capture_store import open_store
from factledger.archive.store_check import Sample
from factledger.archive.textstore import text_key
from factledger.ledger.database import open_ledger
from tests.conftest import Factledger, on_both_stores
from tests.site_server import Site

pytestmark = pytest.mark.integration

CAPTURES = 10


def archived(factledger: Factledger, site: Site) -> list[int]:
    """Ten sources, each cited once and archived; the snapshot ids, in id order."""
    claim = str(factledger.json("claims", "add", "The bridge reopened in May.")["id"])
    for n in range(CAPTURES):
        url = site.html(f"/page-{n}", f"Page {n} says the bridge reopened in May, report {n}.")
        factledger("cite", claim, url, "--stance", "supports")
    factledger.archive()
    snapshots = factledger.snapshots()
    assert len(snapshots) == CAPTURES
    return [snapshot.id for snapshot in snapshots]


def seed_that(wanted: bool, position: int, count: int) -> int:
    """A seed whose sample of ``count`` includes (or leaves out) the capture at ``position``."""
    return next(s for s in range(1000) if (position in Sample(count, None, s).positions(CAPTURES)) == wanted)


@on_both_stores
def test_a_sample_reads_back_only_the_drawn_captures(factledger: Factledger, site: Site) -> None:
    ids = archived(factledger, site)
    # Damage one capture: its text is gone from the store.
    [snapshot] = [s for s in factledger.snapshots() if s.id == ids[4]]
    assert snapshot.full_text_ref is not None
    open_store(factledger.archive_paths()).texts.objects.delete(text_key(snapshot.full_text_ref))

    missed = factledger.json("store", "check", "--sample", "3", "--seed", str(seed_that(False, 4, 3)))
    found = factledger("store", "check", "--sample", "3", "--seed", str(seed_that(True, 4, 3)))
    everything = factledger("store", "check")

    assert (missed["ok"], missed["captures"], missed["captures_checked"]) == (True, CAPTURES, 3)
    assert missed["sample"] == {"size": "3", "seed": seed_that(False, 4, 3)}
    assert found.exit_code == 1
    assert f"snapshot {ids[4]}: " in found.stderr
    assert "3 of 10 captures checked" in found.stderr
    assert everything.exit_code == 1


def test_the_printed_seed_draws_the_same_sample_again(factledger: Factledger, site: Site) -> None:
    ids = archived(factledger, site)
    [snapshot] = [s for s in factledger.snapshots() if s.id == ids[7]]
    assert snapshot.full_text_ref is not None
    open_store(factledger.archive_paths()).texts.objects.delete(text_key(snapshot.full_text_ref))

    for _ in range(4):  # an unseeded sample of 5 of 10 misses the damaged capture half of the time
        first = factledger("store", "check", "--sample", "50%")
        match = re.search(r"draw it again with --sample 50% --seed (\d+)\)", first.stderr)
        assert match is not None, first.stderr
        again = factledger("store", "check", "--sample", "50%", "--seed", match.group(1))
        assert "5 of 10 captures checked" in again.stderr
        assert again.exit_code == first.exit_code
        assert again.stderr.splitlines()[-1] == first.stderr.splitlines()[-1]


def test_a_sampled_check_still_lists_every_orphan(db_url: str, factledger: Factledger, site: Site) -> None:
    archived(factledger, site)
    warcs = open_store(factledger.archive_paths()).warcs
    warcs.put("factledger-20240101000000-dead-00000.warc.gz", b"orphaned group")
    ledger = open_ledger(db_url)
    try:
        later = datetime.now(UTC) + timedelta(hours=1)
        report = app_store.check(
            ledger, factledger.archive_paths(), remove_orphans=False, now=later, sample=Sample(1)
        )
    finally:
        ledger.close()
    assert report.captures_checked == 1
    assert report.orphans == ["warcs/factledger-20240101000000-dead-00000.warc.gz"]


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--sample", "0"], "at least one capture"),
        (["--sample", "some"], "a number of captures or a percentage"),
        (["--sample", "150%"], "at most 100"),
        (["--seed", "3"], "give --sample too"),
    ],
)
def test_a_bad_sample_is_a_usage_error(
    tmp_path: Path, db_url: str, arguments: list[str], complaint: str
) -> None:
    factledger = Factledger(db_url=db_url, home=tmp_path / "home")
    factledger("init")
    result = factledger("store", "check", *arguments)
    assert result.exit_code == 2
    assert complaint in result.stderr
