"""Initial schema: orgs, repositories, API keys, sandboxes, reuse tokens, audit events.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "orgs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orgs"),
        sa.UniqueConstraint("name", name="uq_orgs_name"),
    )
    op.create_table(
        "repositories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("path", sa.String(4096), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_repositories_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_repositories"),
        sa.UniqueConstraint("org_id", "name", name="uq_repositories_org_id_name"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("revoked_at", _utc(), nullable=True),
        sa.Column("last_used_at", _utc(), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'agent')", name="ck_api_keys_role"),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_api_keys_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
    )
    op.create_table(
        "sandboxes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("branch", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("created_by_key_id", sa.String(32), nullable=True),
        sa.Column("project_name", sa.String(200), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'archived', 'merged')", name="ck_sandboxes_status"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_key_id"],
            ["api_keys.id"],
            name="fk_sandboxes_created_by_key_id_api_keys",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name="fk_sandboxes_repository_id_repositories",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sandboxes"),
        sa.UniqueConstraint("repository_id", "branch", name="uq_sandboxes_repository_id_branch"),
    )
    op.create_table(
        "reuse_tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("sandbox_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("revoked_at", _utc(), nullable=True),
        sa.Column("last_used_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sandbox_id"],
            ["sandboxes.id"],
            name="fk_reuse_tokens_sandbox_id_sandboxes",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reuse_tokens"),
    )
    op.create_index("ix_reuse_tokens_sandbox_id", "reuse_tokens", ["sandbox_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("api_key_id", sa.String(32), nullable=True),
        sa.Column("token_id", sa.String(32), nullable=True),
        sa.Column("repo", sa.String(200), nullable=True),
        sa.Column("branch", sa.String(255), nullable=True),
        sa.Column("tool", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("commit_sha", sa.String(64), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("detail", sa.JSON(none_as_null=True), nullable=True),
        sa.CheckConstraint("outcome IN ('ok', 'error')", name="ck_audit_events_outcome"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_repo_branch_at", "audit_events", ["repo", "branch", "at"])
    op.create_index("ix_audit_events_commit_sha", "audit_events", ["commit_sha"])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("reuse_tokens")
    op.drop_table("sandboxes")
    op.drop_table("api_keys")
    op.drop_table("repositories")
    op.drop_table("orgs")
