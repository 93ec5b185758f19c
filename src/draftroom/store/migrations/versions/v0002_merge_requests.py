"""Merge requests: a sandbox asks, a human approves or rejects.

Revision ID: v0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "merge_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("sandbox_id", sa.Integer(), nullable=False),
        sa.Column("branch", sa.String(255), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source_sha", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("requested_by_key_id", sa.String(32), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("decided_by_key_id", sa.String(32), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("merge_sha", sa.String(64), nullable=True),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'merged', 'rejected', 'superseded')",
            name="ck_merge_requests_status",
        ),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name="fk_merge_requests_repository_id_repositories",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sandbox_id"],
            ["sandboxes.id"],
            name="fk_merge_requests_sandbox_id_sandboxes",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_merge_requests"),
    )
    op.create_index("ix_merge_requests_sandbox_id", "merge_requests", ["sandbox_id"])
    op.create_index(
        "ix_merge_requests_repository_id_status", "merge_requests", ["repository_id", "status"]
    )


def downgrade() -> None:
    op.drop_table("merge_requests")
