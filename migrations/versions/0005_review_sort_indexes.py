"""review sort indexes

The review TUI sorts claims by last update and by check-worthiness and pages through them in keyset
order; these indexes let it read one page without sorting the whole table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 00:58:38.754556
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_score_id"), ["score", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_updated_at_id"), ["updated_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_updated_at_id"))
        batch_op.drop_index(batch_op.f("ix_claims_score_id"))
