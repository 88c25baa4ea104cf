"""claim appearances and quoted text

One claim can be found in several documents; each finding is an appearance. Claims that 0001 tied to
a document get that appearance back-filled. On SQLite, add_column runs as a plain ALTER TABLE (no
table copy), which keeps the FTS5 triggers on claims intact.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 23:13:57.541199
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim_appearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_appearances_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_claim_appearances_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_appearances")),
        sa.UniqueConstraint(
            "claim_id",
            "document_id",
            "span_start",
            name=op.f("uq_claim_appearances_claim_id_document_id_span_start"),
        ),
    )
    with op.batch_alter_table("claim_appearances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_appearances_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_appearances_document_id"), ["document_id"], unique=False)

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quoted_text", sa.Text(), nullable=True))

    op.execute(
        "INSERT INTO claim_appearances (claim_id, document_id, span_start, span_end, found_at) "
        "SELECT id, document_id, span_start, span_end, created_at FROM claims "
        "WHERE document_id IS NOT NULL AND span_start IS NOT NULL AND span_end IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("quoted_text")

    with op.batch_alter_table("claim_appearances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_appearances_document_id"))
        batch_op.drop_index(batch_op.f("ix_claim_appearances_claim_id"))

    op.drop_table("claim_appearances")
