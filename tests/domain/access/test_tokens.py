from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from draftroom.domain.access import (
    authenticate_api_key,
    hash_secret,
    issue_api_key,
    issue_reuse_token,
    revoke_api_key,
    revoke_reuse_token,
    revoke_sandbox_tokens,
    verify_reuse_token,
    verify_secret,
)
from draftroom.errors import NotFound, TokenExpired, TokenRevoked, Unauthorized
from draftroom.store import (
    Base,
    Database,
    add_repository,
    add_sandbox,
    get_or_create_org,
    get_reuse_token,
)

TTL = timedelta(days=7)


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session() as session:
        yield session


@pytest.fixture
def org_id(session: Session) -> int:
    return get_or_create_org(session, "acme").id


@pytest.fixture
def sandbox_id(session: Session, org_id: int) -> int:
    repository_id = add_repository(session, org_id, "site", "/site").id
    return add_sandbox(session, repository_id, "gpt/brave-otter", None).id


def _tamper(plaintext: str) -> str:
    return plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")


@given(st.text(), st.text())
def test_a_secret_verifies_only_against_its_own_hash(secret: str, other: str) -> None:
    assert verify_secret(secret, hash_secret(secret))
    assert verify_secret(other, hash_secret(secret)) == (other == secret)


@given(st.text())
def test_nothing_verifies_against_an_unknown_record(secret: str) -> None:
    assert not verify_secret(secret, None)


def test_issued_api_key_has_the_documented_format(session: Session, org_id: int) -> None:
    key, plaintext = issue_api_key(session, org_id, "agent", label="ci")
    assert re.fullmatch(r"drk_[a-z2-7]{12}_[A-Za-z0-9_-]{43}", plaintext)
    assert plaintext.split("_", 2)[1] == key.id
    assert (key.role, key.label, key.org_id) == ("agent", "ci", org_id)


def test_issued_api_key_authenticates(session: Session, org_id: int) -> None:
    key, plaintext = issue_api_key(session, org_id, "admin")
    assert authenticate_api_key(session, plaintext).id == key.id


@pytest.mark.parametrize(
    "make_bad",
    [
        pytest.param(_tamper, id="wrong-secret"),
        pytest.param(lambda p: "drk_aaaaaaaaaaaa_" + p.split("_", 2)[2], id="unknown-id"),
        pytest.param(lambda p: p.replace("drk_", "drt_", 1), id="reuse-token-prefix"),
        pytest.param(lambda p: p[:-3], id="truncated"),
        pytest.param(lambda p: "", id="empty"),
        pytest.param(lambda p: "Bearer " + p, id="extra-text"),
        pytest.param(lambda p: p + "x" * 1000, id="huge"),
    ],
)
def test_bad_api_keys_all_get_the_same_unauthorized(
    session: Session, org_id: int, make_bad: Callable[[str], str]
) -> None:
    _, plaintext = issue_api_key(session, org_id, "agent")
    with pytest.raises(Unauthorized) as raised:
        authenticate_api_key(session, make_bad(plaintext))
    assert type(raised.value) is Unauthorized
    assert raised.value.message == "invalid API key"
    assert raised.value.details == {}


def test_revoked_api_key_gets_the_same_unauthorized(session: Session, org_id: int) -> None:
    key, plaintext = issue_api_key(session, org_id, "agent")
    revoke_api_key(session, key.id)
    with pytest.raises(Unauthorized) as raised:
        authenticate_api_key(session, plaintext)
    assert type(raised.value) is Unauthorized
    assert raised.value.message == "invalid API key"


def test_revoking_twice_keeps_the_first_time(session: Session, org_id: int) -> None:
    key, _ = issue_api_key(session, org_id, "agent")
    first = revoke_api_key(session, key.id).revoked_at
    assert first is not None
    assert revoke_api_key(session, key.id).revoked_at == first


def test_revoking_an_unknown_api_key_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        revoke_api_key(session, "nosuchkey000")


def test_last_used_is_written_at_most_once_a_minute(session: Session, org_id: int) -> None:
    key, plaintext = issue_api_key(session, org_id, "agent")
    start = datetime(2030, 1, 1, tzinfo=UTC)
    authenticate_api_key(session, plaintext, now=start)
    assert key.last_used_at == start
    authenticate_api_key(session, plaintext, now=start + timedelta(seconds=59))
    assert key.last_used_at == start
    authenticate_api_key(session, plaintext, now=start + timedelta(seconds=60))
    assert key.last_used_at == start + timedelta(seconds=60)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(text=st.text(max_size=200))
def test_arbitrary_text_never_authenticates(session: Session, org_id: int, text: str) -> None:
    with pytest.raises(Unauthorized) as raised:
        authenticate_api_key(session, text)
    assert type(raised.value) is Unauthorized


def test_issued_reuse_token_verifies_until_it_expires(session: Session, sandbox_id: int) -> None:
    issued_at = datetime(2030, 1, 1, tzinfo=UTC)
    token, plaintext = issue_reuse_token(session, sandbox_id, TTL, now=issued_at)
    assert re.fullmatch(r"drt_[a-z2-7]{12}_[A-Za-z0-9_-]{43}", plaintext)
    assert token.expires_at == issued_at + TTL
    verified = verify_reuse_token(session, plaintext, now=issued_at + TTL - timedelta(seconds=1))
    assert verified.id == token.id
    assert verified.sandbox_id == sandbox_id
    assert verified.last_used_at == issued_at + TTL - timedelta(seconds=1)


def test_expired_reuse_token_says_how_to_get_a_new_one(session: Session, sandbox_id: int) -> None:
    issued_at = datetime(2030, 1, 1, tzinfo=UTC)
    token, plaintext = issue_reuse_token(session, sandbox_id, TTL, now=issued_at)
    with pytest.raises(TokenExpired) as raised:
        verify_reuse_token(session, plaintext, now=issued_at + TTL)
    assert re.search(r"/sandbox/init|sandbox\.init", raised.value.message)
    assert raised.value.details["token_id"] == token.id


def test_revoked_reuse_token_is_token_revoked(session: Session, sandbox_id: int) -> None:
    token, plaintext = issue_reuse_token(session, sandbox_id, TTL)
    revoke_reuse_token(session, token.id)
    with pytest.raises(TokenRevoked, match=r"/sandbox/init|sandbox\.init"):
        verify_reuse_token(session, plaintext)


def test_revoked_wins_over_expired(session: Session, sandbox_id: int) -> None:
    token, plaintext = issue_reuse_token(session, sandbox_id, TTL)
    revoke_reuse_token(session, token.id)
    with pytest.raises(TokenRevoked):
        verify_reuse_token(session, plaintext, now=token.expires_at + TTL)


@pytest.mark.parametrize(
    "make_bad",
    [
        pytest.param(_tamper, id="wrong-secret"),
        pytest.param(lambda p: "drt_aaaaaaaaaaaa_" + p.split("_", 2)[2], id="unknown-id"),
        pytest.param(lambda p: p.replace("drt_", "drk_", 1), id="api-key-prefix"),
        pytest.param(lambda p: p.upper(), id="malformed"),
        pytest.param(lambda p: "", id="empty"),
    ],
)
def test_bad_reuse_tokens_are_unauthorized_with_a_next_step(
    session: Session, sandbox_id: int, make_bad: Callable[[str], str]
) -> None:
    _, plaintext = issue_reuse_token(session, sandbox_id, TTL)
    with pytest.raises(Unauthorized) as raised:
        verify_reuse_token(session, make_bad(plaintext))
    assert type(raised.value) is Unauthorized
    assert raised.value.message.startswith("invalid reuse token; ")
    assert re.search(r"/sandbox/init|sandbox\.init", raised.value.message)


def test_wrong_secret_of_an_expired_token_reveals_nothing(
    session: Session, sandbox_id: int
) -> None:
    token, plaintext = issue_reuse_token(session, sandbox_id, TTL)
    with pytest.raises(Unauthorized) as raised:
        verify_reuse_token(session, _tamper(plaintext), now=token.expires_at + TTL)
    assert type(raised.value) is Unauthorized


def test_revoke_sandbox_tokens_revokes_only_live_ones(session: Session, sandbox_id: int) -> None:
    tokens = [issue_reuse_token(session, sandbox_id, TTL)[0] for _ in range(3)]
    first_revoked_at = revoke_reuse_token(session, tokens[0].id).revoked_at
    assert revoke_sandbox_tokens(session, sandbox_id) == 2
    assert all(t.revoked_at is not None for t in tokens)
    assert tokens[0].revoked_at == first_revoked_at
    assert revoke_sandbox_tokens(session, sandbox_id) == 0


def test_revoking_an_unknown_reuse_token_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        revoke_reuse_token(session, "nosuchtoken0")


def test_the_database_never_holds_a_plaintext(
    session: Session, org_id: int, sandbox_id: int
) -> None:
    issued = [
        issue_api_key(session, org_id, "admin")[1],
        issue_api_key(session, org_id, "agent", label="ci")[1],
        issue_reuse_token(session, sandbox_id, TTL)[1],
    ]
    session.commit()
    secrets = [plaintext.split("_", 2)[2] for plaintext in issued]
    stored = [
        str(value)
        for table in Base.metadata.sorted_tables
        for row in session.execute(select(table))
        for value in row
    ]
    assert stored, "expected rows to scan"
    for secret in secrets:
        assert not any(secret in value for value in stored)
    token_id = issued[2].split("_", 2)[1]
    token = get_reuse_token(session, token_id)
    assert token is not None and token.secret_hash == hash_secret(secrets[2])
