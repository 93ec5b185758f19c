"""Sign-in: OAuth clients, one-use sign-in grants (codes, tickets), tokens and consents.

Revision ID: v0009
Revises: v0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0009"
down_revision = "v0008"
branch_labels = None
depends_on = None


def _user() -> sa.Column[int]:
    return sa.Column("user_id", sa.Integer(), nullable=False)


def _client() -> sa.Column[str]:
    return sa.Column("client_id", sa.String(32), nullable=False)


def _fks(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["oauth_clients.id"],
            name=f"fk_{table}_client_id_oauth_clients",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "oauth_clients",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_oauth_clients_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_oauth_clients"),
    )
    op.create_table(
        "oauth_grants",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _client(),
        _user(),
        sa.Column("redirect_uri", sa.String(2000), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("code_challenge", sa.String(128), nullable=True),
        sa.Column("code_challenge_method", sa.String(16), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        *_fks("oauth_grants"),
        sa.PrimaryKeyConstraint("id", name="pk_oauth_grants"),
        sa.CheckConstraint("kind IN ('code', 'ticket')", name="ck_oauth_grants_kind"),
    )
    op.create_table(
        "oauth_tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("family_id", sa.String(32), nullable=False),
        _client(),
        _user(),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("access_hash", sa.String(128), nullable=False),
        sa.Column("refresh_hash", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refresh_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        *_fks("oauth_tokens"),
        sa.PrimaryKeyConstraint("id", name="pk_oauth_tokens"),
    )
    op.create_table(
        "oauth_consents",
        _user(),
        _client(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_fks("oauth_consents"),
        sa.PrimaryKeyConstraint("user_id", "client_id", name="pk_oauth_consents"),
    )
    for table, column in [
        ("oauth_grants", "client_id"),
        ("oauth_grants", "user_id"),
        ("oauth_tokens", "family_id"),
        ("oauth_tokens", "client_id"),
        ("oauth_tokens", "user_id"),
    ]:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table in ("oauth_consents", "oauth_tokens", "oauth_grants", "oauth_clients"):
        op.drop_table(table)
