"""Drafts remember where the wizard stands: the central application, confirmed warnings, submission

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("application_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("wizard", sa.Text(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("wizard")
        batch.drop_column("application_id")
