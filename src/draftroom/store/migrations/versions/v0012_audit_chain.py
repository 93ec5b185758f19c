"""A tamper-evident audit trail: each row's hash chained per org, the chains' heads, and
where each audit sink's delivery stands.

Rows written before this revision are not chained: each head records how many there were
(``legacy_count`` up to ``legacy_max_id``), so a row inserted among them is still noticed.

Revision ID: v0012
Revises: v0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0012"
down_revision = "v0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("personal_digest", sa.String(64), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        # The chain's walk, exports and the console's pages read an org's rows by id.
        batch.create_index("ix_audit_events_org_id_id", ["org_id", "id"])
        # A row's correction names it by request id (``amend:<id>``); callers look up by it.
        batch.create_index("ix_audit_events_request_id", ["request_id"])
    op.create_table(
        "audit_chain_heads",
        sa.Column("org_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=True),
        sa.Column("last_hash", sa.String(64), nullable=True),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("legacy_max_id", sa.BigInteger(), nullable=False),
        sa.Column("legacy_count", sa.BigInteger(), nullable=False),
        sa.Column("archived_until_id", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("archived_hash", sa.String(64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("org_key", name="pk_audit_chain_heads"),
    )
    op.create_table(
        "audit_sink_cursors",
        sa.Column("sink_id", sa.String(64), nullable=False),
        sa.Column("org_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sink_id", "org_key", name="pk_audit_sink_cursors"),
    )
    op.create_table(
        "audit_sink_leases",
        sa.Column("sink_id", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sink_id", name="pk_audit_sink_leases"),
    )
    # One head per org that has rows (and 0 for rows of no org), marking the legacy rows.
    op.execute(
        "INSERT INTO audit_chain_heads (org_key, count, legacy_max_id, legacy_count) "
        "SELECT COALESCE(org_id, 0), 0, MAX(id), COUNT(*) FROM audit_events "
        "GROUP BY COALESCE(org_id, 0)"
    )


def downgrade() -> None:
    op.drop_table("audit_sink_leases")
    op.drop_table("audit_sink_cursors")
    op.drop_table("audit_chain_heads")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_index("ix_audit_events_request_id")
        batch.drop_index("ix_audit_events_org_id_id")
        batch.drop_column("erased_at")
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("personal_digest")
