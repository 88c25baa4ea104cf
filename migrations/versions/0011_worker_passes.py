"""worker passes

Each archive worker's last pass (when it ended, what it leased, captured and failed), so `factledger
status` can show a team's workers from any machine.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-06 19:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_passes",
        sa.Column("worker", sa.String(length=255), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("summary", sa.JSON(none_as_null=True), nullable=False),
        sa.PrimaryKeyConstraint("worker", name=op.f("pk_worker_passes")),
    )


def downgrade() -> None:
    op.drop_table("worker_passes")
