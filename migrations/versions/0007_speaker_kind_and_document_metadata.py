"""speaker kind and document metadata

Ingest now tells a person from an organisation as a claim's speaker (ClaimReview publishes one or the
other) and reads a document's byline and dateline into its author and place.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 05:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("speaker_kind", sa.String(length=16), nullable=True))
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("place", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("place")
        batch_op.drop_column("author")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("speaker_kind")
