"""Alembic environment: migrates the connection ``Database.migrate()`` hands over.

Run only through ``Database.migrate()``; there is no alembic.ini and no offline mode.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from draftroom.store.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations with draftroom.store.Database(url).migrate()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
