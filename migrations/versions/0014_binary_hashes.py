"""binary hashes, claims keyed by 8 bytes of theirs, and no stored previous hash in the audit log

A bulk import of 200,000 claims stored about 1,370 bytes a claim; four hash columns held 64 hex
characters each where the information is 32 bytes, 8 bytes, or nothing new at all:

- ``events.prev_hash`` is the ``hash`` of the event before it in id order, which ``audit verify`` walks
  anyway: it is dropped. The hash of every event is unchanged (it is still computed over the previous
  hash's hex text); a deleted, inserted or reordered event still makes a hash fail;
- ``events.hash`` and ``audit_head.hash`` keep the 32 bytes of their sha256 digests instead of 64 hex
  characters (hex is made at the edges: event JSON, anchors);
- ``claims.text_hash`` and ``original_text_hash`` keep the first 8 bytes of their digests (the same 64
  bits as 0013's index on 16 hex characters), indexed whole: a lookup computes the full hash again from
  the texts of the rows a key finds (``ledger.claims.claim_ids_by_hash``), so it answers as before, and
  the 32-byte column and its separate prefix index are both gone;
- on SQLite, the indexes that walk claims by status, update time and score in ``(column, id)`` order
  name the column alone: SQLite ends every index entry with the rowid, which is the id, so naming id
  as well stored it twice (about 4 bytes a claim per index). PostgreSQL appends nothing and keeps
  ``(column, id)``.

A stored hash that is not 64 lowercase hex characters (written by another tool) is kept as its UTF-8
bytes (its first 8 for a claim), so it still differs from every real digest rather than being lost.

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

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY_BYTES = 8
# (table, column, NOT NULL, bytes kept): every hash column that becomes bytes.
_HASH_COLUMNS = (
    ("events", "hash", True, 32),
    ("audit_head", "hash", True, 32),
    ("claims", "text_hash", True, _KEY_BYTES),
    ("claims", "original_text_hash", False, _KEY_BYTES),
)
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_PG_TO_BYTES = (
    "substr(CASE WHEN {c} ~ '^[0-9a-f]{{64}}$' THEN decode({c}, 'hex') ELSE convert_to({c}, 'UTF8') END, "
    "1, {n})"
)
_GENESIS_HASH = "0" * 64
# Written out, not imported, so this revision stays the same whatever later code does.
_PREFIX_INDEX = "CREATE INDEX ix_claims_text_hash_prefix ON claims (substr(text_hash, 1, 16))"
_ORIGINAL_INDEX = (
    "CREATE INDEX ix_claims_original_text_hash ON claims (original_text_hash) "
    "WHERE original_text_hash IS NOT NULL"
)
_KEYSET_COLUMNS = ("status", "updated_at", "score")
_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'"})


def _bytes_of(length: int) -> Callable[[object], object]:
    def convert(value: object) -> object:
        """A stored hash as bytes: its digest when it is 64 hex characters, else its UTF-8 bytes."""
        if isinstance(value, str):
            value = bytes.fromhex(value) if _HEX_DIGEST.fullmatch(value) else value.encode("utf-8")
        return value[:length] if isinstance(value, bytes) else value

    return convert


def _hex(value: object) -> object:
    return value.hex() if isinstance(value, bytes) else value


def _text_hash(text: object) -> object:
    """The hex sha256 of a claim text's normalized form, as factledger computed it up to 0013."""
    if not isinstance(text, str):
        return None
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS)
    return hashlib.sha256(" ".join(folded.split()).rstrip(".").casefold().encode("utf-8")).hexdigest()


def _sqlite_function(name: str, function: Callable[[object], object]) -> None:
    driver = op.get_bind().connection.driver_connection
    driver.create_function(name, 1, function, deterministic=True)  # type: ignore[union-attr]


def _sqlite_retype(table: str, column: str, not_null: bool, sql_type: str, default: str, value: str) -> None:
    """Replace ``column`` by one of ``sql_type`` holding ``value`` (see the module's docstring)."""
    new = f"{column}_0014"
    constraint = f" NOT NULL DEFAULT {default}" if not_null else ""
    op.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {new} {sql_type}{constraint}"))
    op.execute(sa.text(f"UPDATE {table} SET {new} = {value}"))
    op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    op.execute(sa.text(f"ALTER TABLE {table} RENAME COLUMN {new} TO {column}"))


def upgrade() -> None:
    op.drop_index("ix_claims_text_hash_prefix", table_name="claims")
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_claims_original_text_hash", table_name="claims")
        op.execute(sa.text("ALTER TABLE events DROP COLUMN prev_hash"))
        for length in {length for *_rest, length in _HASH_COLUMNS}:
            _sqlite_function(f"factledger_0014_bytes{length}", _bytes_of(length))
        for table, column, not_null, length in _HASH_COLUMNS:
            convert = f"factledger_0014_bytes{length}({column})"
            _sqlite_retype(table, column, not_null, "BLOB", "x''", convert)
        op.execute(sa.text(_ORIGINAL_INDEX))
        for column in _KEYSET_COLUMNS:
            op.drop_index(f"ix_claims_{column}_id", table_name="claims")
            op.create_index(f"ix_claims_{column}", "claims", [column])
    else:
        op.drop_column("events", "prev_hash")
        for table, column, _not_null, length in _HASH_COLUMNS:
            op.alter_column(
                table,
                column,
                type_=sa.LargeBinary(),
                existing_type=sa.String(64),
                postgresql_using=_PG_TO_BYTES.format(c=column, n=length),
            )
    op.create_index("ix_claims_text_hash", "claims", ["text_hash"])


def downgrade() -> None:
    """Back to hex; a claim's full text hash is computed again from its text (and original text)."""
    op.drop_index("ix_claims_text_hash", table_name="claims")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.drop_index("ix_claims_original_text_hash", table_name="claims")
        _sqlite_function("factledger_0014_hex", _hex)
        _sqlite_function("factledger_0014_text_hash", _text_hash)
        for table, column, not_null, length in _HASH_COLUMNS:
            source = column if length == 32 else column.removesuffix("_hash")
            function = "factledger_0014_hex" if length == 32 else "factledger_0014_text_hash"
            _sqlite_retype(table, column, not_null, "VARCHAR(64)", "''", f"{function}({source})")
        op.execute(sa.text(_ORIGINAL_INDEX))
        for column in _KEYSET_COLUMNS:
            op.drop_index(f"ix_claims_{column}", table_name="claims")
            op.create_index(f"ix_claims_{column}_id", "claims", [column, "id"])
        op.execute(
            sa.text(f"ALTER TABLE events ADD COLUMN prev_hash VARCHAR(64) NOT NULL DEFAULT '{_GENESIS_HASH}'")
        )
    else:
        for table, column, _not_null, _length in _HASH_COLUMNS:
            op.alter_column(
                table,
                column,
                type_=sa.String(64),
                existing_type=sa.LargeBinary(),
                postgresql_using=f"encode({column}, 'hex')",
            )
        # The normalization needs Python's NFKC and casefold: recomputed here, row by row.
        connection = op.get_bind()
        rows = connection.execute(sa.text("SELECT id, text, original_text FROM claims")).all()
        for claim_id, text, original in rows:
            connection.execute(
                sa.text("UPDATE claims SET text_hash = :text, original_text_hash = :original WHERE id = :id"),
                {"text": _text_hash(text), "original": _text_hash(original), "id": claim_id},
            )
        op.add_column("events", sa.Column("prev_hash", sa.String(64), nullable=True))
    # Each event's previous hash is the hash of the event before it in id order (the first's: zeros).
    op.execute(
        sa.text(
            "UPDATE events SET prev_hash = previous.hash FROM (SELECT id, coalesce(lag(hash) OVER "
            f"(ORDER BY id), '{_GENESIS_HASH}') AS hash FROM events) AS previous WHERE previous.id = events.id"
        )
    )
    if not sqlite:
        op.alter_column("events", "prev_hash", nullable=False, existing_type=sa.String(64))
    op.execute(sa.text(_PREFIX_INDEX))
