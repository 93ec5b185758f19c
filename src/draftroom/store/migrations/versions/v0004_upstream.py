"""Upstreams: encrypted credentials, the repository → remote link, and the push outbox.

Revision ID: v0004
Revises: v0002
Create Date: 2025-01-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0004"
down_revision = "v0002"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "upstream_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("username", sa.String(200), nullable=True),
        sa.Column("app_id", sa.String(32), nullable=True),
        sa.Column("installation_id", sa.String(32), nullable=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.CheckConstraint("kind IN ('token', 'github_app')", name="ck_upstream_credentials_kind"),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name="fk_upstream_credentials_org_id_orgs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_upstream_credentials"),
        sa.UniqueConstraint("org_id", "name", name="uq_upstream_credentials_org_id_name"),
    )
    op.create_table(
        "upstreams",
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(4096), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=True),
        sa.Column("main_branch", sa.String(255), nullable=False),
        sa.Column("publish", sa.String(16), nullable=False),
        sa.Column("github_api_url", sa.String(400), nullable=True),
        sa.Column("main_state", sa.String(16), nullable=False),
        sa.Column("next_fetch_at", _utc(), nullable=True),
        sa.Column("last_fetch_at", _utc(), nullable=True),
        sa.Column("fetch_error", sa.Text(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.CheckConstraint("publish IN ('push', 'pull_request')", name="ck_upstreams_publish"),
        sa.CheckConstraint(
            "main_state IN ('synced', 'ahead', 'diverged')", name="ck_upstreams_main_state"
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["upstream_credentials.id"],
            name="fk_upstreams_credential_id_upstream_credentials",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name="fk_upstreams_repository_id_repositories",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("repository_id", name="pk_upstreams"),
    )
    op.create_table(
        "upstream_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("branch", sa.String(255), nullable=False),
        sa.Column("target_sha", sa.String(64), nullable=True),
        sa.Column("pushed_sha", sa.String(64), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _utc(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", _utc(), nullable=True),
        sa.Column("pull_request_url", sa.String(400), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'synced', 'failed', 'diverged')",
            name="ck_upstream_outbox_state",
        ),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name="fk_upstream_outbox_repository_id_repositories",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_upstream_outbox"),
        sa.UniqueConstraint(
            "repository_id", "branch", name="uq_upstream_outbox_repository_id_branch"
        ),
    )
    op.create_index("ix_upstream_outbox_next_attempt_at", "upstream_outbox", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_upstream_outbox_next_attempt_at", table_name="upstream_outbox")
    op.drop_table("upstream_outbox")
    op.drop_table("upstreams")
    op.drop_table("upstream_credentials")
