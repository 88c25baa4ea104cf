"""refused sources

A source our own address guard refused (a private address, fetched without --allow-private) was marked
`blocked`, as if the site had shut us out. It now has its own health, `refused`: the refusal is ours,
says nothing about the source and flags no claim. Sources recorded as `blocked` were all refusals of
the guard (nothing else set that health), so they become `refused`.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.text("UPDATE sources SET health = 'refused' WHERE health = 'blocked'"))


def downgrade() -> None:
    op.execute(sa.text("UPDATE sources SET health = 'blocked' WHERE health = 'refused'"))
