"""Plugin settings on each backend: an org's own setting wins over the server-wide one, a
plugin with no row is enabled, and deleting an org takes its settings along."""

from __future__ import annotations

from draftroom.store import (
    Database,
    delete_org_rows,
    disabled_plugins,
    get_or_create_org,
    plugin_settings,
    set_plugin_enabled,
)


def test_an_orgs_own_setting_wins_over_the_server_wide_one(database: Database) -> None:
    with database.session() as session:
        acme = get_or_create_org(session, "acme").id
        globex = get_or_create_org(session, "globex").id
        set_plugin_enabled(session, "guard", None, False)
        set_plugin_enabled(session, "guard", acme, True)
        set_plugin_enabled(session, "wordcount", globex, False)
    with database.session() as session:
        assert disabled_plugins(session, None) == {"guard"}
        assert disabled_plugins(session, acme) == set()
        assert disabled_plugins(session, globex) == {"guard", "wordcount"}
        assert plugin_settings(session, acme) == {"guard": True}
        set_plugin_enabled(session, "guard", None, True)  # switched again: one row, updated
    with database.session() as session:
        assert disabled_plugins(session, globex) == {"wordcount"}
        delete_org_rows(session, globex)
    with database.session() as session:
        assert plugin_settings(session, globex) == {"guard": True}
