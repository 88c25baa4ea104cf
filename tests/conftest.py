"""Shared fixtures: a real ledger on SQLite, and on PostgreSQL when FACTLEDGER_TEST_DATABASE_URL is set.

PostgreSQL tests get a fresh schema each (selected through the connection's search_path) inside the
database the variable names; the schema is dropped afterwards. The loopback test web site (``site``) is
here too, so every package's tests can capture from it.

Every test carries exactly one of the ``unit`` and ``integration`` markers (pyproject.toml describes them);
``pytest_collection_modifyitems`` refuses a collection where one does not, so the split stays true.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from factledger.archive.capture_store import ArchivePaths
from factledger.cli import cli
from factledger.ledger.database import Ledger, open_ledger
from factledger.ledger.models import Snapshot
from tests.s3_server import S3Server, serve_s3
from tests.site_server import Site, serve_site

PG_ENV = "FACTLEDGER_TEST_DATABASE_URL"
REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_ARTICLE = next((REPO_ROOT / "data" / "articles").glob("*.txt"))
PG_SKIP_REASON = f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
KIND_MARKERS = ("unit", "integration")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse tests that are not marked as exactly one of unit or integration."""
    wrong = [
        f"{item.nodeid}: {', '.join(kinds) or 'none'}"
        for item in items
        if len(kinds := [name for name in KIND_MARKERS if item.get_closest_marker(name)]) != 1
    ]
    if wrong:
        raise pytest.UsageError(
            "each test needs exactly one of the markers unit, integration (set pytestmark in its module):\n  "
            + "\n  ".join(wrong)
        )


def postgres_schema_url(base_url: str, schema: str) -> str:
    url = make_url(base_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """The URL of a new, empty schema in the test database, dropped afterwards (skips the test when no
    PostgreSQL is configured). A test that needs two ledgers on PostgreSQL takes a second one here."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP_REASON)
    schema = f"fl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_schema_url(base, "public"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield postgres_schema_url(base, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    opened = open_ledger(db_url)
    yield opened
    opened.close()


@dataclass
class Factledger:
    """Runs factledger commands in-process against one ledger, as a given reviewer."""

    db_url: str
    home: Path
    reviewer: str = "tester"
    store: str | None = None  # the capture store's URL; None: the directories in ``home``

    def archive_paths(self) -> ArchivePaths:
        return ArchivePaths.under(self.home, self.store)

    def _global_options(self) -> list[str]:
        return [
            "--home",
            str(self.home),
            "--db",
            self.db_url,
            *(["--store", self.store] if self.store else []),
        ]

    def __call__(self, *args: str, reviewer: str | None = None, input: str | None = None) -> Result:
        argv = [*self._global_options(), "--as", reviewer or self.reviewer, *args]
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)

    def json(self, *args: str, reviewer: str | None = None) -> Any:
        result = self(*args, "--json", reviewer=reviewer)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def command(self, *args: str) -> list[str]:
        """The argv that runs ``factledger *args`` on this ledger in a process of its own."""
        return [sys.executable, "-m", "factledger", *self._global_options(), *args]

    def archive(self, *extra: str) -> None:
        """`archive run` on loopback (private addresses allowed), which must succeed."""
        result = self("archive", "run", "--allow-private", *extra)
        assert result.exit_code == 0, result.stderr

    def snapshots(self) -> list[Snapshot]:
        """Every snapshot in the ledger, in id order."""
        ledger = open_ledger(self.db_url)
        try:
            with ledger.read() as session:
                return list(session.scalars(select(Snapshot).order_by(Snapshot.id)))
        finally:
            ledger.close()


@pytest.fixture
def factledger(db_url: str, tmp_path: Path, store_url: str | None) -> Factledger:
    return Factledger(db_url=db_url, home=tmp_path / "home", store=store_url)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server on loopback, one per test process; the AWS variables point at it. It logs the
    requests it answers (``S3Server.requests``)."""
    with serve_s3(request_log=tmp_path_factory.mktemp("s3") / "requests.log") as server:
        yield server


@pytest.fixture
def store_url(request: pytest.FixtureRequest) -> str | None:
    """The capture store: the home's directories (None) unless a test asks for each (``on_both_stores``),
    when it is also a fresh bucket on the loopback S3 server."""
    if getattr(request, "param", "local") == "local":
        return None
    server: S3Server = request.getfixturevalue("s3_server")
    return server.new_bucket()


# Runs a test on the local store and on S3 (moto on loopback): for the tests of what reads captures back.
on_both_stores = pytest.mark.parametrize("store_url", ["local", "s3"], indirect=True)


@pytest.fixture
def site() -> Iterator[Site]:
    """A local test web site on loopback, serving the pages a test adds to it."""
    with serve_site() as running:
        yield running
