from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from draftroom.errors import AlreadyExists
from draftroom.store import (
    Database,
    add_repository,
    add_sandbox,
    count_sandboxes,
    get_or_create_org,
    get_sandbox,
    get_sandbox_by_id,
    list_sandboxes,
)


def _repository_id(session: Session, name: str = "site") -> int:
    org_id = get_or_create_org(session, "acme").id
    return add_repository(session, org_id, name, f"/{name}").id


def test_sandbox_round_trips_as_active(database: Database) -> None:
    with database.session() as session:
        repository_id = _repository_id(session)
        added = add_sandbox(session, repository_id, "gpt/brave-otter", None, project_name="blog")
    with database.session() as session:
        sandbox = get_sandbox(session, repository_id, "gpt/brave-otter")
        assert sandbox is not None
        assert (sandbox.id, sandbox.status, sandbox.project_name) == (added.id, "active", "blog")
        assert sandbox.created_by_key_id is None
        assert sandbox.created_at.tzinfo is not None
        assert sandbox.repository.name == "site"
        assert get_sandbox_by_id(session, added.id) is sandbox
        assert get_sandbox_by_id(session, added.id + 1000) is None
        assert get_sandbox(session, repository_id, "gpt/other") is None


def test_duplicate_branch_is_already_exists(database: Database) -> None:
    with database.session() as session:
        repository_id = _repository_id(session)
        add_sandbox(session, repository_id, "gpt/a", None)
    with pytest.raises(AlreadyExists, match="gpt/a"), database.session() as session:
        add_sandbox(session, repository_id, "gpt/a", None)


def test_same_branch_in_two_repositories_is_allowed(database: Database) -> None:
    with database.session() as session:
        add_sandbox(session, _repository_id(session, "one"), "gpt/a", None)
        add_sandbox(session, _repository_id(session, "two"), "gpt/a", None)
        assert count_sandboxes(session) == 2


def test_sandboxes_are_counted_and_listed_by_repository_and_status(database: Database) -> None:
    with database.session() as session:
        one, two = _repository_id(session, "one"), _repository_id(session, "two")
        first = add_sandbox(session, one, "gpt/a", None)
        add_sandbox(session, one, "gpt/b", None)
        add_sandbox(session, two, "gpt/c", None)
        first.status = "archived"
    with database.session() as session:
        assert count_sandboxes(session) == 3
        assert count_sandboxes(session, repository_id=one) == 2
        assert count_sandboxes(session, repository_id=one, status="active") == 1
        assert count_sandboxes(session, status="merged") == 0
        assert [s.branch for s in list_sandboxes(session)] == ["gpt/c", "gpt/b", "gpt/a"]
        assert [s.branch for s in list_sandboxes(session, repository_id=one, limit=1)] == ["gpt/b"]
        assert [s.branch for s in list_sandboxes(session, status="archived")] == ["gpt/a"]
