"""Plugins switched off, server-wide (``org_key`` 0) or for one org.

Revision ID: v0013
Revises: v0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0013"
down_revision = "v0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plugin_settings",
        sa.Column("plugin", sa.String(200), nullable=False),
        sa.Column("org_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plugin", "org_key", name="pk_plugin_settings"),
    )


def downgrade() -> None:
    op.drop_table("plugin_settings")
