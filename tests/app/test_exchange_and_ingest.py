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


def test_ingest_stores_nothing_unless_every_document_can_be_read(ledger: Ledger, tmp_path: Path) -> None:
    # Hostile input: a good article followed by a missing file, then by a file that exists but is not
    # UTF-8 (it passes the cheap checks and fails only when read). On main the good article's claims
    # were committed before the error, though the command exited 1.
    paths = ArchivePaths.under(tmp_path)
    with pytest.raises(InvalidInputError, match="no such file"):
        ingest(_never_opened, "alice", paths, [str(tmp_path / "missing.txt")], 0.0)

    article = tmp_path / "article.txt"
    article.write_text("The council approved a budget of $12 million on 3 March 2024, the mayor said.\n")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Le budget a augmenté de 12 millions en 2024.\n".encode("latin-1"))
    with pytest.raises(InvalidInputError, match="no such file"):
        ingest(lambda: ledger, "alice", paths, [str(article), str(tmp_path / "missing.txt")], 0.0)
    with pytest.raises(InvalidInputError, match="not valid UTF-8"):
        ingest(lambda: ledger, "alice", paths, [str(article), str(latin1)], 0.0)
    [first] = ingest(lambda: ledger, "alice", paths, [str(article)], 0.0)
    assert first.report.document_created  # nothing of it was stored by the failed runs
    assert first.snapshot_id is None


def test_ingest_refuses_a_document_over_the_size_limit(ledger: Ledger, tmp_path: Path) -> None:
    # Hostile input: a 2 MB text with a 1 MB limit; on main there was no limit (20 MB: 3 min, 781 MB).
    big = tmp_path / "big.txt"
    big.write_text("The budget grew by 12 percent in 2024. " * 52_000)
    with pytest.raises(InvalidInputError, match=r"big.txt: 2.0 MB is over the ingest size limit of 1.0 MB"):
        ingest(lambda: ledger, "alice", ArchivePaths.under(tmp_path), [str(big)], 0.0, max_bytes=1_000_000)
