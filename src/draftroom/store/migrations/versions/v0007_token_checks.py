"""Reuse tokens bound to the API key that created them; exact wrong-token counters.

Revision ID: v0007
Revises: v0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0007"
down_revision = "v0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reuse_tokens", sa.Column("created_by_key_id", sa.String(32), nullable=True))
    op.create_table(
        "token_check_counters",
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name="pk_token_check_counters"),
    )


def downgrade() -> None:
    op.drop_table("token_check_counters")
    with op.batch_alter_table("reuse_tokens") as batch:
        batch.drop_column("created_by_key_id")
