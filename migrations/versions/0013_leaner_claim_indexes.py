"""leaner claim indexes

A bulk import of 200,000 claims spent about 120 bytes a claim on index entries that answer nothing:

- claims are found by text hash through a 16-character prefix of it (``substr(text_hash, 1, 16)``, 64
  bits) instead of all 64 characters; the lookup compares the full hash on the rows it finds
  (``ledger.claims.claim_ids_by_hash``), so its answers are the same;
- ``document_id`` (NULL for imported and hand-added claims) and ``original_text_hash`` (NULL until a
  reviewer corrects a text) are indexed only where they are set; every query on them names a value,
  which implies IS NOT NULL on both engines, so they still use the index;
- SQLite's full-text table keeps no per-claim column sizes (``columnsize=0``): they serve only ranking
  (bm25), which factledger never asks for. The table is rebuilt from the claims, so search answers stay.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 22:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported, so this revision stays the same whatever later code does.
_FTS_TRIGGERS = [
    "CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN "
    "INSERT INTO claims_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER claims_fts_update AFTER UPDATE OF text ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO claims_fts(rowid, text) VALUES (new.id, new.text); END",
]
_FTS_TABLE = (
    "CREATE VIRTUAL TABLE claims_fts USING fts5("
    "text, content='claims', content_rowid='id', tokenize='unicode61 remove_diacritics 0'{options})"
)


def _rebuild_search(options: str) -> None:
    for trigger in ("claims_fts_insert", "claims_fts_delete", "claims_fts_update"):
        op.execute(sa.text(f"DROP TRIGGER IF EXISTS {trigger}"))
    op.execute(sa.text("DROP TABLE IF EXISTS claims_fts"))
    op.execute(sa.text(_FTS_TABLE.format(options=options)))
    op.execute(sa.text("INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')"))
    for statement in _FTS_TRIGGERS:
        op.execute(sa.text(statement))


def _partial(column: str) -> dict[str, sa.TextClause]:
    condition = sa.text(f"{column} IS NOT NULL")
    return {"sqlite_where": condition, "postgresql_where": condition}


def upgrade() -> None:
    op.drop_index("ix_claims_text_hash", table_name="claims")
    op.execute(sa.text("CREATE INDEX ix_claims_text_hash_prefix ON claims (substr(text_hash, 1, 16))"))
    for column in ("document_id", "original_text_hash"):
        op.drop_index(f"ix_claims_{column}", table_name="claims")
        op.create_index(f"ix_claims_{column}", "claims", [column], **_partial(column))
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_search(", columnsize=0")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_search("")
    for column in ("document_id", "original_text_hash"):
        op.drop_index(f"ix_claims_{column}", table_name="claims")
        op.create_index(f"ix_claims_{column}", "claims", [column])
    op.drop_index("ix_claims_text_hash_prefix", table_name="claims")
    op.create_index("ix_claims_text_hash", "claims", ["text_hash"])
