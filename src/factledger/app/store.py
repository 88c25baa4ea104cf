"""The capture store as a whole: ``factledger store check|migrate`` (archive/store_check.py does the work)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from factledger.archive.capture_store import ArchivePaths
from factledger.archive.store_check import (
    CheckReport,
    MigrateReport,
    Sample,
    SampleError,
    check_store,
    migrate_store,
)
from factledger.ledger.database import Ledger

__all__ = ["CheckReport", "MigrateReport", "Sample", "SampleError", "check", "migrate"]


def check(
    ledger: Ledger,
    paths: ArchivePaths,
    *,
    remove_orphans: bool,
    now: datetime | None = None,
    sample: Sample | None = None,
) -> CheckReport:
    """Verify every capture the ledger names (or a random ``sample`` of them); list (and, if asked,
    remove) the objects nothing names."""
    return check_store(ledger, paths, remove_orphans=remove_orphans, now=now, sample=sample)


def migrate(
    paths: ArchivePaths, home: Path, to: str, *, on_object: Callable[[str], None] | None = None
) -> MigrateReport:
    """Copy this ledger's captures into the store ``to`` names (an S3 URL or a directory)."""
    return migrate_store(paths, ArchivePaths.under(home, to), on_object=on_object)
