"""claim score model

Each claim records which check-worthiness model gave its score (``claims.score_model``), so a ledger
knows what scored what and ``factledger rescore`` can bring old scores up to date. Existing claims keep
NULL: the hand-weighted scorer that gave their scores had no name.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score_model", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("score_model")
