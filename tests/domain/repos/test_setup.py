"""The embedded default: a first start makes org, ``demo`` and one admin key; later starts add nothing."""

from __future__ import annotations

import stat
from pathlib import Path

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.access.tokens import authenticate_api_key
from draftroom.domain.calls.services import Services
from draftroom.domain.repos.repositories import register_repository
from draftroom.domain.repos.setup import setup_default


def fresh(tmp_path: Path) -> Services:
    return Services(Settings(data_dir=tmp_path / "data"))


def repository_names(services: Services) -> list[str]:
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        return [r.name for r in store.list_repositories(session, org.id)]


def test_first_start_creates_demo_and_an_admin_key_readable_only_by_the_owner(
    tmp_path: Path,
) -> None:
    services = fresh(tmp_path)

    plaintext = setup_default(services)

    assert plaintext is not None
    key_file = services.settings.data_dir / "admin.key"
    assert key_file.read_text() == plaintext + "\n"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with services.database.session() as session:
        assert authenticate_api_key(session, plaintext).role == "admin"
    assert repository_names(services) == ["demo"]


def test_a_second_start_issues_no_new_key_and_keeps_the_first(tmp_path: Path) -> None:
    first = fresh(tmp_path)
    plaintext = setup_default(first)
    assert plaintext is not None

    again = fresh(tmp_path)
    assert setup_default(again) is None

    assert (again.settings.data_dir / "admin.key").read_text() == plaintext + "\n"
    with again.database.session() as session:
        assert authenticate_api_key(session, plaintext).role == "admin"
    assert repository_names(again) == ["demo"]


def test_no_demo_is_added_once_the_org_has_its_own_repository(tmp_path: Path) -> None:
    services = fresh(tmp_path)
    setup_default(services)
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        register_repository(services, session, org.id, "site")
        demo = store.get_repository(session, org.id, "demo")
        assert demo is not None
        session.delete(demo)

    setup_default(fresh(tmp_path))

    assert repository_names(services) == ["site"]
