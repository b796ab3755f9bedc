"""The action journal: every outside effect, written before it happens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(32), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journal"),
        sa.UniqueConstraint("idempotency_key", name="uq_journal_idempotency_key"),
    )
    op.create_index("ix_journal_kind_subject_state", "journal", ["kind", "subject", "state"])
    op.create_index(
        "uq_journal_pending_action", "journal", ["kind", "subject"], unique=True, sqlite_where=sa.text("state = 'pending'")
    )


def downgrade() -> None:
    op.drop_index("uq_journal_pending_action", table_name="journal")
    op.drop_index("ix_journal_kind_subject_state", table_name="journal")
    op.drop_table("journal")
