"""Opening a ledger: engines, transactions, and keeping the schema at the head revision.

SQLite is opened in WAL mode with foreign keys and a busy timeout. Write transactions on SQLite begin
IMMEDIATE so two processes queue for the write lock instead of failing half-way with SQLITE_BUSY; on
PostgreSQL the default READ COMMITTED plus row versions and an advisory lock (see audit.py) do the job.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from factledger.ledger.errors import LedgerBusyError, SchemaError

if TYPE_CHECKING:
    from alembic.config import Config

SQLITE_BUSY_TIMEOUT_MS = 30_000
# How long a writer waits for SQLite's write lock before giving up (milliseconds); an environment
# setting so operators (and the tests) can change it without a code change.
BUSY_TIMEOUT_VARIABLE = "FACTLEDGER_SQLITE_BUSY_TIMEOUT_MS"


def sqlite_busy_timeout_ms() -> int:
    value = os.environ.get(BUSY_TIMEOUT_VARIABLE, "").strip()
    if not value:
        return SQLITE_BUSY_TIMEOUT_MS
    if not value.isdigit():
        raise SchemaError(f"{BUSY_TIMEOUT_VARIABLE} must be a whole number of milliseconds, not {value!r}")
    return int(value)


def migrations_dir() -> Path:
    """The Alembic scripts: inside the installed wheel, or at the top of a source checkout."""
    package_root = Path(__file__).resolve().parent.parent
    for candidate in (package_root / "migrations", package_root.parent.parent / "migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise SchemaError("factledger's migration scripts are missing from this installation")


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _configure_sqlite(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN below is what actually runs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SchemaError(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        timeout_ms = sqlite_busy_timeout_ms()
        engine = create_engine(parsed, connect_args={"timeout": timeout_ms / 1000})
        _configure_sqlite(engine, timeout_ms)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":  # plain postgresql:// means psycopg 3, the driver we ship
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise SchemaError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://")


@dataclass
class SchemaState:
    current: str | None
    head: str
    known: bool

    @property
    def is_empty(self) -> bool:
        return self.current is None

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def schema_state(engine: Engine) -> SchemaState:
    """Where the ledger's schema stands against this factledger's migrations.

    Every command opens the ledger through this, so the common case (the ledger is at the head) is
    answered without importing Alembic, whose import alone costs more than a `claims list`: the head is
    read from the migration scripts' ``revision`` lines and the current revision from alembic_version.
    Anything else goes to Alembic itself."""
    head = _head_from_scripts()
    if head is not None:
        current = _current_revision(engine)
        if current == head:
            return SchemaState(current=current, head=head, known=True)
    return _alembic_schema_state(engine)


_REVISION_LINE = re.compile(r"^revision(?:: str)? = [\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION_LINE = re.compile(r"^down_revision(?:: [^=]+)? = [\"']([^\"']+)[\"']", re.MULTILINE)


@cache
def _head_from_scripts() -> str | None:
    """The one revision no other script revises, read from the scripts' text; None when that is not
    clear-cut (then Alembic decides)."""
    revisions, revised = set(), set()
    for script in (migrations_dir() / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        found = _REVISION_LINE.search(text)
        if found is None:
            return None
        revisions.add(found.group(1))
        revised.update(_DOWN_REVISION_LINE.findall(text))
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def _current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except OperationalError as exc:
        raise SchemaError(f"cannot open the ledger database: {_first_line(exc)}") from None
    return str(rows[0][0]) if len(rows) == 1 else None


def _alembic_schema_state(engine: Engine) -> SchemaState:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None, "factledger ships at least one migration"
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise SchemaError(f"cannot open the ledger database: {_first_line(exc)}") from None
    known = True
    if current is not None:
        try:
            known = script.get_revision(current) is not None
        except Exception:  # alembic raises ResolutionError/CommandError for unknown ids
            known = False
    return SchemaState(current=current, head=head, known=known)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc)) or type(exc).__name__
    return text.strip().splitlines()[0]


def upgrade(engine: Engine) -> SchemaState:
    """Create or upgrade the ledger to the head revision (what ``factledger init`` does)."""
    state = schema_state(engine)
    if not state.known:
        raise newer_schema_error(state)
    if not state.is_current:
        from alembic import command

        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
    return schema_state(engine)


def newer_schema_error(state: SchemaState) -> SchemaError:
    from factledger import __version__

    return SchemaError(
        f"this ledger was written by a newer factledger (schema revision {state.current}, "
        f"factledger {__version__} knows up to {state.head}); upgrade factledger to open it"
    )


class Ledger:
    """An open ledger: an engine whose schema is known to be at head."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"

    def ensure_schema(self, *, create_if_empty: bool = True) -> None:
        state = schema_state(self.engine)
        if not state.known:
            raise newer_schema_error(state)
        if state.is_current:
            return
        if state.is_empty and create_if_empty and not _has_foreign_tables(self.engine):
            upgrade(self.engine)
            return
        if state.is_empty and not create_if_empty and not _has_foreign_tables(self.engine):
            raise SchemaError("no ledger in this database yet: `factledger init` creates one (or check --db)")
        if state.is_empty:
            raise SchemaError("this database holds tables that are not a factledger ledger")
        raise SchemaError(
            f"this ledger's schema ({state.current}) is older than factledger's ({state.head}); "
            "run `factledger init` to upgrade it"
        )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction; committed on success, rolled back on any exception.

        On SQLite, one writer at a time holds the lock; the others wait up to the busy timeout, then
        get LedgerBusyError (one line that says what happened) instead of a bare "database is locked".
        """
        bind = self.engine.execution_options(sqlite_immediate=True) if self.is_sqlite else self.engine
        try:
            with Session(bind, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            if self.is_sqlite and "database is locked" in str(exc.orig):
                seconds = sqlite_busy_timeout_ms() / 1000
                raise LedgerBusyError(
                    f"the ledger is busy: another factledger process (a long import or archive run?) held "
                    f"its write lock for more than {seconds:g} s; nothing was changed, try again when it "
                    "has finished"
                ) from exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def snapshot_read(self) -> Iterator[Session]:
        """A read transaction that sees one state of the database throughout, however many statements
        it runs (REPEATABLE READ on PostgreSQL; an SQLite read transaction in WAL mode already does)."""
        bind = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="REPEATABLE READ")
        )
        with Session(bind, expire_on_commit=False) as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _has_foreign_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def open_ledger(url: str, *, create: bool = True) -> Ledger:
    """Open the ledger at ``url``, at the head revision. With ``create`` an empty database becomes a new
    ledger; without it, a missing one is an error (a read on a mistyped --home must not make one)."""
    if not create:
        _require_sqlite_file(url)
    ledger = Ledger(url)
    try:
        ledger.ensure_schema(create_if_empty=create)
    except BaseException:
        ledger.close()
        raise
    return ledger


def _require_sqlite_file(url: str) -> None:
    """A SQLite ledger that is not there is reported before the engine creates its file (and folder)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SchemaError(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database).expanduser()
    if not path.exists():
        raise SchemaError(
            f"no ledger at {path}: check --home (or $FACTLEDGER_HOME); `factledger init` creates one there"
        )
