"""binary hashes, and no stored previous hash in the audit log

A bulk import of 200,000 claims stored about 1,370 bytes a claim; three columns held 64 hex characters
each where the information is 32 bytes, or nothing new at all:

- ``events.prev_hash`` is the ``hash`` of the event before it in id order, which ``audit verify`` walks
  anyway: it is dropped. The hash of every event is unchanged (it is still computed over the previous
  hash's hex text); a deleted, inserted or reordered event still makes the next hash fail;
- ``events.hash``, ``audit_head.hash``, ``claims.text_hash`` and ``claims.original_text_hash`` keep the
  32 bytes of their sha256 digests instead of 64 hex characters (hex is made at the edges: event JSON,
  anchors);
- the index on a prefix of the text hash covers its first 8 bytes, the same 64 bits as the 16 hex
  characters of 0013.

A stored hash that is not 64 lowercase hex characters (written by another tool) is kept as its UTF-8
bytes, so it still differs from every real digest rather than being lost.

SQLite cannot change a column's type in place, and ``claims`` cannot be copied into a new table while
other tables' foreign keys point at it (factledger opens SQLite with foreign keys on, and the pragma
cannot change inside the migration's transaction). So each hash column is added anew, filled, and the
old one dropped and the new one renamed (SQLite 3.35+). SQLite adds a NOT NULL column only with a
default: the new ``text_hash`` and ``hash`` columns have an empty-blob default that factledger never
relies on (every insert names them). The file keeps its size until a VACUUM; the space is reused.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 02:00:00.000000
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, NOT NULL): every hash column that becomes bytes.
_HASH_COLUMNS = (
    ("events", "hash", True),
    ("audit_head", "hash", True),
    ("claims", "text_hash", True),
    ("claims", "original_text_hash", False),
)
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_PG_TO_BYTES = "CASE WHEN {c} ~ '^[0-9a-f]{{64}}$' THEN decode({c}, 'hex') ELSE convert_to({c}, 'UTF8') END"
_GENESIS_HASH = "0" * 64
# Written out, not imported, so this revision stays the same whatever later code does.
_PREFIX_INDEX = "CREATE INDEX ix_claims_text_hash_prefix ON claims (substr(text_hash, 1, {length}))"
_ORIGINAL_INDEX = (
    "CREATE INDEX ix_claims_original_text_hash ON claims (original_text_hash) "
    "WHERE original_text_hash IS NOT NULL"
)


def _digest_bytes(value: object) -> object:
    """A stored hash as bytes: its digest when it is 64 hex characters, else its UTF-8 bytes."""
    if isinstance(value, str):
        return bytes.fromhex(value) if _HEX_DIGEST.fullmatch(value) else value.encode("utf-8")
    return value


def _digest_hex(value: object) -> object:
    return value.hex() if isinstance(value, bytes) else value


def _sqlite_function(name: str, function: object) -> None:
    driver = op.get_bind().connection.driver_connection
    driver.create_function(name, 1, function, deterministic=True)  # type: ignore[union-attr]


def _sqlite_retype(
    table: str, column: str, not_null: bool, sql_type: str, default: str, convert: str
) -> None:
    """Replace ``column`` by one of ``sql_type`` holding ``convert(column)`` (see the module's docstring)."""
    new = f"{column}_0014"
    constraint = f" NOT NULL DEFAULT {default}" if not_null else ""
    op.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {new} {sql_type}{constraint}"))
    op.execute(sa.text(f"UPDATE {table} SET {new} = {convert}({column})"))
    op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    op.execute(sa.text(f"ALTER TABLE {table} RENAME COLUMN {new} TO {column}"))


def upgrade() -> None:
    op.drop_index("ix_claims_text_hash_prefix", table_name="claims")
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_claims_original_text_hash", table_name="claims")
        op.execute(sa.text("ALTER TABLE events DROP COLUMN prev_hash"))
        _sqlite_function("factledger_0014_bytes", _digest_bytes)
        for table, column, not_null in _HASH_COLUMNS:
            _sqlite_retype(table, column, not_null, "BLOB", "x''", "factledger_0014_bytes")
        op.execute(sa.text(_ORIGINAL_INDEX))
    else:
        op.drop_column("events", "prev_hash")
        for table, column, _not_null in _HASH_COLUMNS:
            op.alter_column(
                table,
                column,
                type_=sa.LargeBinary(),
                existing_type=sa.String(64),
                postgresql_using=_PG_TO_BYTES.format(c=column),
            )
    op.execute(sa.text(_PREFIX_INDEX.format(length=8)))


def downgrade() -> None:
    op.drop_index("ix_claims_text_hash_prefix", table_name="claims")
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_claims_original_text_hash", table_name="claims")
        _sqlite_function("factledger_0014_hex", _digest_hex)
        for table, column, not_null in _HASH_COLUMNS:
            _sqlite_retype(table, column, not_null, "VARCHAR(64)", "''", "factledger_0014_hex")
        op.execute(sa.text(_ORIGINAL_INDEX))
        op.execute(
            sa.text(f"ALTER TABLE events ADD COLUMN prev_hash VARCHAR(64) NOT NULL DEFAULT '{_GENESIS_HASH}'")
        )
    else:
        for table, column, _not_null in _HASH_COLUMNS:
            op.alter_column(
                table,
                column,
                type_=sa.String(64),
                existing_type=sa.LargeBinary(),
                postgresql_using=f"encode({column}, 'hex')",
            )
        op.add_column("events", sa.Column("prev_hash", sa.String(64), nullable=True))
    # Each event's previous hash is the hash of the event before it in id order (the first's: zeros).
    op.execute(
        sa.text(
            "UPDATE events SET prev_hash = previous.hash FROM (SELECT id, coalesce(lag(hash) OVER "
            f"(ORDER BY id), '{_GENESIS_HASH}') AS hash FROM events) AS previous WHERE previous.id = events.id"
        )
    )
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("events", "prev_hash", nullable=False, existing_type=sa.String(64))
    op.execute(sa.text(_PREFIX_INDEX.format(length=16)))
