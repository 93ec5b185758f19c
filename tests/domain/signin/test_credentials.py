"""Access tokens: only a live token of a live person in a live client makes a principal."""

from __future__ import annotations

import pytest

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.signin import add_client, authenticate_access_token, revoke_client
from draftroom.domain.signin.credentials import new_tokens, save_tokens
from draftroom.errors import Unauthorized
from draftroom.store import Database, utc_now


def issue(database: Database, settings: Settings) -> tuple[str, str, int]:
    with database.session() as session:
        org = store.get_or_create_org(session, "acme")
        user = store.add_user(session, org.id, "ada@example.com", "reviewer")
        client = add_client(session, "GPT", ["https://a.example/cb"], confidential=True).client
        token = new_tokens(settings, "draftroom")
        save_tokens(session, settings, token, client_id=client.id, user_id=user.id, family_id=None)
        return token["access_token"], client.id, org.id


def test_an_access_token_acts_for_its_person_with_their_role(database: Database) -> None:
    access, _, org_id = issue(database, Settings())
    with database.session() as session:
        principal = authenticate_access_token(session, access)
    assert (principal.org_id, principal.role, principal.person_role) == (
        org_id,
        "person",
        "reviewer",
    )
    assert principal.signed_in and principal.api_key_id.startswith("oauth:")


def test_a_revoked_client_or_a_tampered_token_makes_no_principal(database: Database) -> None:
    access, client_id, org_id = issue(database, Settings())
    with database.session() as session:
        with pytest.raises(Unauthorized):
            authenticate_access_token(session, access[:-1] + ("A" if access[-1] != "A" else "B"))
        revoke_client(session, client_id, org_id)
    with database.session() as session, pytest.raises(Unauthorized):
        authenticate_access_token(session, access)


def test_an_expired_access_token_makes_no_principal(database: Database) -> None:
    access, _, _ = issue(database, Settings())
    with database.session() as session:
        record = store.get_oauth_token(session, access.split("_")[1])
        assert record is not None
        record.expires_at = utc_now()
    with database.session() as session, pytest.raises(Unauthorized):
        authenticate_access_token(session, access)
