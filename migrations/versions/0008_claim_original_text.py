"""claim original text

A reviewer may correct a claim's text (`claims edit`). The words first recorded (ingest's sentence or
the text typed into `claims add`) are kept beside the correction, with their normalised-text hash, so
the same sentence met again in another document or import is still recognised as this claim.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 06:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs and an index on SQLite, which keep the FTS5 triggers on claims intact.
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("original_text_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_claims_original_text_hash"), ["original_text_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_original_text_hash"))
        batch_op.drop_column("original_text_hash")
        batch_op.drop_column("original_text")
