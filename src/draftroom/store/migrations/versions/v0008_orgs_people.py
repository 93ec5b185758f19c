"""Orgs and people: an org's display name, its people and their roles; keys, sandboxes,
merge requests and audit rows that name the person they act for.

Audit rows written before this revision get their org from the API key that made them.

Revision ID: v0008
Revises: v0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0008"
down_revision = "v0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orgs") as batch:
        batch.add_column(sa.Column("display_name", sa.String(200), nullable=True))
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_users_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("org_id", "email", name="uq_users_org_id_email"),
        sa.CheckConstraint("role IN ('owner', 'reviewer', 'member')", name="ck_users_role"),
    )
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_api_keys_user_id_users", "users", ["user_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_api_keys_user_id", ["user_id"])
        batch.drop_constraint("ck_api_keys_role", type_="check")
        batch.create_check_constraint("role", "role IN ('admin', 'agent', 'person')")
    with op.batch_alter_table("sandboxes") as batch:
        batch.add_column(sa.Column("created_for_user_id", sa.Integer(), nullable=True))
        batch.create_index("ix_sandboxes_created_for_user_id", ["created_for_user_id"])
    with op.batch_alter_table("repositories") as batch:
        batch.add_column(
            sa.Column(
                "require_other_reviewer", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("merge_requests") as batch:
        batch.add_column(sa.Column("requested_by_user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("decided_by_user_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("org_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_index("ix_audit_events_org_id_at", ["org_id", "at"])
    op.execute(
        "UPDATE audit_events SET org_id = "
        "(SELECT api_keys.org_id FROM api_keys WHERE api_keys.id = audit_events.api_key_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_index("ix_audit_events_org_id_at")
        batch.drop_column("user_id")
        batch.drop_column("org_id")
    with op.batch_alter_table("merge_requests") as batch:
        batch.drop_column("decided_by_user_id")
        batch.drop_column("requested_by_user_id")
    with op.batch_alter_table("repositories") as batch:
        batch.drop_column("require_other_reviewer")
    with op.batch_alter_table("sandboxes") as batch:
        batch.drop_index("ix_sandboxes_created_for_user_id")
        batch.drop_column("created_for_user_id")
    op.execute("DELETE FROM api_keys WHERE role = 'person'")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint("ck_api_keys_role", type_="check")
        batch.create_check_constraint("role", "role IN ('admin', 'agent')")
        batch.drop_index("ix_api_keys_user_id")
        batch.drop_constraint("fk_api_keys_user_id_users", type_="foreignkey")
        batch.drop_column("user_id")
    op.drop_table("users")
    with op.batch_alter_table("orgs") as batch:
        batch.drop_column("display_name")
