from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from draftroom.store import (
    Database,
    add_api_key,
    add_repository,
    add_reuse_token,
    add_sandbox,
    get_api_key,
    get_or_create_org,
    get_reuse_token,
    list_api_keys,
    list_reuse_tokens,
)

EXPIRES = datetime(2030, 1, 1, tzinfo=UTC)


def test_api_key_round_trips(database: Database) -> None:
    with database.session() as session:
        org_id = get_or_create_org(session, "acme").id
        add_api_key(session, id="abcdefghijkl", org_id=org_id, role="agent", secret_hash="h" * 64)
    with database.session() as session:
        key = get_api_key(session, "abcdefghijkl")
        assert key is not None
        assert (key.role, key.secret_hash, key.label) == ("agent", "h" * 64, None)
        assert key.revoked_at is None and key.last_used_at is None
        assert key.created_at.tzinfo is not None
        assert [k.id for k in list_api_keys(session, org_id)] == ["abcdefghijkl"]
        assert get_api_key(session, "nosuchkey000") is None


def test_api_key_role_must_be_admin_or_agent(database: Database) -> None:
    with pytest.raises(IntegrityError), database.session() as session:
        org_id = get_or_create_org(session, "acme").id
        add_api_key(session, id="k", org_id=org_id, role="root", secret_hash="h")  # type: ignore[arg-type]


def test_reuse_token_round_trips_with_its_sandbox(database: Database) -> None:
    with database.session() as session:
        org_id = get_or_create_org(session, "acme").id
        repository_id = add_repository(session, org_id, "site", "/site").id
        sandbox_id = add_sandbox(session, repository_id, "gpt/a", None).id
        add_reuse_token(
            session, id="tok000000000", sandbox_id=sandbox_id, secret_hash="h", expires_at=EXPIRES
        )
    with database.session() as session:
        token = get_reuse_token(session, "tok000000000")
        assert token is not None
        assert token.expires_at == EXPIRES and token.expires_at.tzinfo == UTC
        assert token.sandbox.branch == "gpt/a"
        assert [t.id for t in list_reuse_tokens(session, sandbox_id)] == ["tok000000000"]
        assert get_reuse_token(session, "missing") is None


def test_reuse_token_needs_an_existing_sandbox(database: Database) -> None:
    with pytest.raises(IntegrityError), database.session() as session:
        add_reuse_token(session, id="t", sandbox_id=999, secret_hash="h", expires_at=EXPIRES)
