"""app.exchange and app.ingest: the format registries round-trip, a failed export leaves no file, and
bad input is refused before the ledger is opened (so it creates none)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from factledger.app import claims
from factledger.app.exchange import EXPORT_FORMATS, IMPORT_FORMATS, export_claims, import_file
from factledger.app.ingest import ingest
from factledger.archive.runner import ArchivePaths
from factledger.config import load_settings
from factledger.ledger.database import Ledger, open_ledger
from factledger.ledger.errors import InvalidInputError, LedgerError, NotFoundError

pytestmark = pytest.mark.integration


def _never_opened() -> Ledger:
    raise AssertionError("the ledger was opened for input that was refused")


def test_the_registries_name_every_format() -> None:
    assert IMPORT_FORMATS == ["jsonl", "csv", "claimreview"]
    assert EXPORT_FORMATS == ["jsonl", "csv", "claimreview", "wacz"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_export_imports_into_a_fresh_ledger(ledger: Ledger, tmp_path: Path, fmt: str) -> None:
    settings = load_settings(home=tmp_path)
    for text in ("The dam holds 4 billion litres.", "The port opened in 1899."):
        claims.add_claim(lambda: ledger, "alice", text, None, [])
    exported = tmp_path / f"claims.{fmt}"
    assert export_claims(ledger, settings, fmt, None, exported, io.StringIO()) == 2

    fresh = open_ledger(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        stats = import_file(lambda: fresh, "bob", fmt, exported)
        assert stats.as_dict()["claims_created"] == 2
        texts = sorted(row["text"] for row in claims.list_claims(fresh, claims.ClaimFilter()))
    finally:
        fresh.close()
    assert texts == ["The dam holds 4 billion litres.", "The port opened in 1899."]


def test_an_export_of_an_unknown_claim_writes_nothing(ledger: Ledger, tmp_path: Path) -> None:
    output = tmp_path / "one.jsonl"
    with pytest.raises(NotFoundError):
        export_claims(ledger, load_settings(home=tmp_path), "jsonl", 999, output, io.StringIO())
    assert not output.exists()
    assert not output.with_name("one.jsonl.partial").exists()


def test_importing_a_missing_file_never_opens_the_ledger(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="no such file"):
        import_file(_never_opened, "alice", "jsonl", tmp_path / "missing.jsonl")


def test_ingest_stores_the_documents_before_a_missing_one(ledger: Ledger, tmp_path: Path) -> None:
    paths = ArchivePaths.under(tmp_path)
    with pytest.raises(InvalidInputError, match="no such file"):
        ingest(_never_opened, "alice", paths, [str(tmp_path / "missing.txt")], 0.0)

    article = tmp_path / "article.txt"
    article.write_text("The council approved a budget of $12 million on 3 March 2024, the mayor said.\n")
    with pytest.raises(InvalidInputError, match="no such file"):
        ingest(lambda: ledger, "alice", paths, [str(article), str(tmp_path / "missing.txt")], 0.0)
    [again] = ingest(lambda: ledger, "alice", paths, [str(article)], 0.0)
    assert not again.report.document_created  # the first argument was stored before the error
    assert again.snapshot_id is None
