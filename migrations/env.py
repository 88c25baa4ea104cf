"""Alembic environment for factledger.

Run programmatically by ``factledger init`` (which passes an open connection), or by the ``alembic``
command from a checkout, which finds the database the same way factledger does (FACTLEDGER_DATABASE_URL,
FACTLEDGER_HOME, factledger.toml).
"""

from __future__ import annotations

import warnings
from typing import Any

from alembic import context
from sqlalchemy import Connection

from factledger.config import load_settings
from factledger.ledger.database import make_engine
from factledger.ledger.models import ONLY_ON, Base

target_metadata = Base.metadata

# Objects that migrations create with raw SQL and the models cannot describe: the FTS5 table (and the
# shadow tables SQLite makes for it) and PostgreSQL's expression index for search.
UNMODELLED_PREFIXES = ("claims_fts",)
UNMODELLED_INDEXES = frozenset({"ix_claims_text_search"})
# SQLite's reflection cannot describe an expression index and says so; it is one of the above.
warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table" and name and name.startswith(UNMODELLED_PREFIXES):
        return False
    if type_ == "index" and not reflected and ONLY_ON in obj.info:
        # A model index made on one engine only (models._keyset_index) is compared on that engine.
        return bool(obj.info[ONLY_ON] == context.get_bind().dialect.name)
    return not (type_ == "index" and name in UNMODELLED_INDEXES)


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = make_engine(load_settings().database_url)
    try:
        with engine.begin() as own_connection:
            run_with(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("factledger migrations run online only: use `factledger init`")
run_migrations_online()
