"""app.sources for the reader: a source's captures with text, and the texts of one capture and the one
before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from factledger.app import claims, review
from factledger.app import sources as app_sources
from factledger.app.capture import capture_now, source_ids_of_claim
from factledger.archive.runner import ArchivePaths, RunOptions
from factledger.ledger.database import Ledger
from factledger.ledger.statuses import Stance
from tests.conftest import on_both_stores
from tests.site_server import Site

pytestmark = pytest.mark.integration


@on_both_stores
def test_the_reader_gets_each_capture_and_the_one_before(
    ledger: Ledger, site: Site, tmp_path: Path, store_url: str | None
) -> None:
    paths = ArchivePaths.under(tmp_path, store_url)
    url = site.html("/bridge", "The bridge reopened in May.")
    claim_id = int(claims.add_claim(lambda: ledger, "tester", "The bridge reopened.", None, [])["id"])
    review.cite(ledger, "tester", claim_id, url, Stance.SUPPORTS, quote="reopened in May")
    [source_id] = source_ids_of_claim(ledger, claim_id)
    capture_now(ledger, "tester", paths, RunOptions(allow_private=True), [source_id])
    site.html("/bridge", "The bridge reopened in June.")
    capture_now(ledger, "tester", paths, RunOptions(allow_private=True), [source_id])

    older, newer = app_sources.captures_with_text(ledger, source_id)
    assert older.id < newer.id

    text, previous = app_sources.capture_texts(ledger, paths, source_id, newer.id, older.id)
    assert text is not None
    assert "reopened in June" in text
    assert previous is not None
    assert "reopened in May" in previous
    only, none = app_sources.capture_texts(ledger, paths, source_id, older.id, None)
    assert only == previous
    assert none is None
