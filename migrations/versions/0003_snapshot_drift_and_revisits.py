"""snapshot drift and revisits

Each capture records how it compares with the previous one, and whether its WARC record is a revisit.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:36:42.809022
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drift", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("is_revisit", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.drop_column("is_revisit")
        batch_op.drop_column("drift")
