"""claim headline role

A document's headline fills its title and may also be a claim, but only linked as the headline: the
claim (``claims.role``) and its appearance in that document (``claim_appearances.role``) say
"headline". A headline appearance's span is in the document's title, which is not part of its body.
Existing appearances are the body's ("body"); existing claims have no role (NULL: an ordinary claim).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 19:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs on SQLite, which keep the FTS5 triggers on claims intact.
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=16), nullable=True))
    with op.batch_alter_table("claim_appearances", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default=sa.text("'body'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("claim_appearances", schema=None) as batch_op:
        batch_op.drop_column("role")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("role")
