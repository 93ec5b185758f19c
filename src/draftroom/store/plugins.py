"""Which installed plugins are switched off, for every org or for one.

One row per (plugin, org): ``org_key`` is the org's id, or 0 for the server-wide setting.
An org's own row wins over the server-wide one; a plugin with no row is enabled (installing
it was the operator's choice).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from draftroom.store.models import Base
from draftroom.store.timestamps import UTCDateTime, utc_now

EVERY_ORG = 0


class PluginSetting(Base):
    __tablename__ = "plugin_settings"

    plugin: Mapped[str] = mapped_column(String(200), primary_key=True)
    org_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


def set_plugin_enabled(session: Session, plugin: str, org_id: int | None, enabled: bool) -> None:
    """Record ``enabled`` for ``plugin`` in ``org_id`` (None: every org without its own row)."""
    key = EVERY_ORG if org_id is None else org_id
    row = session.get(PluginSetting, (plugin, key))
    if row is None:
        session.add(PluginSetting(plugin=plugin, org_key=key, enabled=enabled))
    else:
        row.enabled, row.updated_at = enabled, utc_now()
    session.flush()


def plugin_settings(session: Session, org_id: int | None) -> dict[str, bool]:
    """Plugin -> enabled, for ``org_id`` (its own rows over the server-wide ones)."""
    keys = [EVERY_ORG] if org_id is None else [EVERY_ORG, org_id]
    rows = session.scalars(
        select(PluginSetting).where(PluginSetting.org_key.in_(keys)).order_by(PluginSetting.org_key)
    )
    found: dict[str, bool] = {}
    for row in rows:  # the server-wide row (0) first: the org's own overrides it
        found[row.plugin] = row.enabled
    return found


def disabled_plugins(session: Session, org_id: int | None) -> set[str]:
    return {name for name, on in plugin_settings(session, org_id).items() if not on}
