from __future__ import annotations

import pytest

from draftroom.errors import AlreadyExists
from draftroom.store import (
    Database,
    add_repository,
    get_or_create_org,
    get_repository,
    get_repository_by_id,
    list_repositories,
)


def test_repository_round_trips(database: Database) -> None:
    with database.session() as session:
        org_id = get_or_create_org(session, "acme").id
        added = add_repository(session, org_id, "site", "/srv/git/site.git")
    with database.session() as session:
        record = get_repository(session, org_id, "site")
        assert record is not None
        assert (record.id, record.name, record.path) == (added.id, "site", "/srv/git/site.git")
        assert record.created_at.tzinfo is not None
        assert record.org.name == "acme"
        assert get_repository_by_id(session, added.id) is record
        assert get_repository(session, org_id, "missing") is None


def test_duplicate_repository_name_is_already_exists(database: Database) -> None:
    with database.session() as session:
        org_id = get_or_create_org(session, "acme").id
        add_repository(session, org_id, "site", "/a")
    with pytest.raises(AlreadyExists, match="site") as raised, database.session() as session:
        add_repository(session, org_id, "site", "/b")
    assert raised.value.details == {"repo": "site"}


def test_same_repository_name_in_two_orgs_is_allowed(database: Database) -> None:
    with database.session() as session:
        acme = get_or_create_org(session, "acme").id
        globex = get_or_create_org(session, "globex").id
        add_repository(session, acme, "site", "/a")
        add_repository(session, globex, "site", "/b")
        assert [r.path for r in list_repositories(session, globex)] == ["/b"]


def test_list_repositories_is_by_name_and_per_org(database: Database) -> None:
    with database.session() as session:
        org_id = get_or_create_org(session, "acme").id
        other = get_or_create_org(session, "globex").id
        for name in ["zeta", "alpha", "mid"]:
            add_repository(session, org_id, name, f"/{name}")
        add_repository(session, other, "elsewhere", "/e")
    with database.session() as session:
        assert [r.name for r in list_repositories(session, org_id)] == ["alpha", "mid", "zeta"]
