"""Idempotency keys; bytes each audited commit wrote (daily quotas); sandboxes by creator.

Revision ID: v0005
Revises: v0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0005"
down_revision = "v0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.String(32), nullable=False),
        sa.Column("tool", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('running', 'done')", name="ck_idempotency_keys_state"),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_keys"),
        sa.UniqueConstraint(
            "api_key_id", "tool", "key_hash", name="uq_idempotency_keys_api_key_id_tool_key_hash"
        ),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.add_column("audit_events", sa.Column("bytes_written", sa.BigInteger(), nullable=True))
    op.create_index("ix_sandboxes_created_by_key_id", "sandboxes", ["created_by_key_id"])


def downgrade() -> None:
    op.drop_index("ix_sandboxes_created_by_key_id", table_name="sandboxes")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("bytes_written")
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
