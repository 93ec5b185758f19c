"""Webhooks: each upstream's webhook secret (ciphertext) and the deliveries already taken;
the ``main`` head whose commits the sandboxes were last told about as human changes.

Revision ID: v0011
Revises: v0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0011"
down_revision = "v0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("forge", sa.String(16), nullable=False),
        sa.Column("delivery_id", sa.String(100), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name="fk_webhook_deliveries_repository_id_repositories",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint(
            "repository_id",
            "forge",
            "delivery_id",
            name="uq_webhook_deliveries_repository_id_forge_delivery_id",
        ),
    )
    op.create_index("ix_webhook_deliveries_received_at", "webhook_deliveries", ["received_at"])
    with op.batch_alter_table("upstreams") as batch:
        batch.add_column(sa.Column("webhook_secret", sa.Text(), nullable=True))
        batch.add_column(sa.Column("human_seen_sha", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("upstreams") as batch:
        batch.drop_column("human_seen_sha")
        batch.drop_column("webhook_secret")
    op.drop_index("ix_webhook_deliveries_received_at", "webhook_deliveries")
    op.drop_table("webhook_deliveries")
