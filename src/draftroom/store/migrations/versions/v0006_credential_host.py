"""A token credential's host: the only host it is ever sent to.

Existing tokens are bound to the host of the first repository (lowest id) that uses them;
a token no repository uses yet is bound by the next repository added with it.

Revision ID: v0006
Revises: v0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "v0006"
down_revision = "v0005"
branch_labels = None
depends_on = None

_SCP = re.compile(r"^[^@/]+@(?P<host>[^:/]+):")


def _host(url: str) -> str | None:
    match = _SCP.match(url)
    host = match["host"] if match else urlsplit(url).hostname
    return host.lower().rstrip(".") if host else None


def upgrade() -> None:
    with op.batch_alter_table("upstream_credentials") as batch:
        batch.add_column(sa.Column("host", sa.String(255), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT c.id, u.url FROM upstream_credentials c JOIN upstreams u "
            "ON u.credential_id = c.id WHERE c.kind = 'token' ORDER BY u.repository_id DESC"
        )
    ).all()
    first = {credential_id: url for credential_id, url in rows}  # lowest repository id wins
    for credential_id, url in first.items():
        bind.execute(
            sa.text("UPDATE upstream_credentials SET host = :host WHERE id = :id"),
            {"host": _host(url), "id": credential_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("upstream_credentials") as batch:
        batch.drop_column("host")
