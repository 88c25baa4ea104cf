"""quote checks and verdict suggestions

Where a quote was found (or last found), why it is fuzzy or missing, and the verdict the evidence
suggests. Plain ADD COLUMNs on SQLite, which keep the FTS5 triggers on claims intact.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 23:52:36.942664
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suggested_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("suggestion_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quote_detail", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("quote_checked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("quote_found_snapshot_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_quote_found_snapshot_id_snapshots"),
            "snapshots",
            ["quote_found_snapshot_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_quote_found_snapshot_id_snapshots"), type_="foreignkey"
        )
        batch_op.drop_column("quote_found_snapshot_id")
        batch_op.drop_column("quote_checked_at")
        batch_op.drop_column("quote_detail")

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("suggestion_reason")
        batch_op.drop_column("suggested_status")
