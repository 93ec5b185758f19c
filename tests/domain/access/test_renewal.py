"""Reuse tokens: renewal within a grace period, admin revocation, lockout, no timing oracle."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from draftroom import store
from draftroom.domain.access import tokens
from draftroom.domain.calls import Services
from tests.support.api import Api, AppFactory, error, new_key, start_sandbox


def token_row(services: Services, plaintext: str) -> store.ReuseToken:
    token_id = plaintext.split("_")[1]
    with services.database.session() as session:
        token = store.get_reuse_token(session, token_id)
        assert token is not None
        return token


def expire(services: Services, plaintext: str, ago: timedelta) -> None:
    with services.database.session() as session:
        token = store.get_reuse_token(session, plaintext.split("_")[1])
        assert token is not None
        token.expires_at = datetime.now(UTC) - ago


def test_an_expired_token_in_its_grace_period_says_renew_and_renews(
    app: tuple[Api, Services],
) -> None:
    api, services = app
    sb = start_sandbox(api)
    expire(services, sb["reuse_token"], timedelta(days=2))
    body = api.post("/sandbox/status", **sb, expect=401)
    assert error(body)["code"] == "token_expired"
    assert re.search(r"/sandbox/renew|sandbox\.renew", error(body)["message"])
    renewed = api.post("/sandbox/renew", **sb)
    expires_at = datetime.fromisoformat(renewed["expires_at"])
    assert expires_at > datetime.now(UTC) + timedelta(days=29)
    assert renewed["branch"] == sb["branch"]
    assert token_row(services, sb["reuse_token"]).expires_at == expires_at
    api.post("/files/write", **sb, path="back.txt", content="x", message="m")


def test_a_token_past_its_grace_period_is_dead_and_says_so(app: tuple[Api, Services]) -> None:
    api, services = app
    sb = start_sandbox(api)
    expire(services, sb["reuse_token"], timedelta(days=8))
    body = api.post("/sandbox/renew", **sb, expect=401)
    assert error(body)["code"] == "token_expired"
    assert "can no longer be used or renewed" in error(body)["message"]
    assert "renewal period ended" in error(body)["message"]


def test_renewing_a_live_token_extends_it(app: tuple[Api, Services]) -> None:
    api, services = app
    sb = start_sandbox(api)
    before = token_row(services, sb["reuse_token"]).expires_at
    after = datetime.fromisoformat(api.post("/sandbox/renew", **sb)["expires_at"])
    assert after >= before


def test_renew_refuses_a_wrong_token_and_another_repo(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_sandbox(api)
    wrong = sb["reuse_token"][:-4] + "AAAA"
    body = api.post("/sandbox/renew", **{**sb, "reuse_token": wrong}, expect=401)
    assert error(body)["code"] == "unauthorized"


def test_an_admin_revokes_a_token_over_http(make_app: AppFactory) -> None:
    admin, services = make_app(role="admin")
    agent = Api(admin.client, new_key(services, "agent"))
    sb = start_sandbox(agent)
    token_id = sb["reuse_token"].split("_")[1]
    denied = agent.post("/admin/tokens/revoke", token_id=token_id, expect=403)
    assert error(denied)["code"] == "insufficient_scope"
    out = admin.post("/admin/tokens/revoke", token_id=token_id)
    assert out["token_id"] == token_id
    body = agent.post("/sandbox/status", **sb, expect=401)
    assert error(body)["code"] == "token_revoked"
    missing = admin.post("/admin/tokens/revoke", token_id="nosuchtoken0", expect=404)
    assert error(missing)["code"] == "not_found"


@pytest.mark.slow
def test_the_cli_revokes_a_token(app: tuple[Api, Services]) -> None:
    api, services = app
    sb = start_sandbox(api)
    token_id = sb["reuse_token"].split("_")[1]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "draftroom",
            "token",
            "revoke",
            token_id,
            "--data-dir",
            str(services.settings.data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"revoked reuse token {token_id}" in done.stdout
    assert error(api.post("/sandbox/status", **sb, expect=401))["code"] == "token_revoked"


def test_repeated_wrong_tokens_from_one_api_key_lock_it_out(make_app: AppFactory) -> None:
    api, _ = make_app(token_failures_before_lockout=3)
    sb = start_sandbox(api)
    wrong = {**sb, "reuse_token": sb["reuse_token"][:-4] + "AAAA"}
    for _ in range(3):
        assert error(api.post("/sandbox/status", **wrong, expect=401))["code"] == "unauthorized"
    response = api.client.post("/sandbox/status", json=sb, headers=api.headers)
    assert response.status_code == 429  # even the right token, until the window passes
    assert error(response.json())["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 300


def test_expired_and_revoked_tokens_do_not_count_towards_lockout(make_app: AppFactory) -> None:
    api, services = make_app(token_failures_before_lockout=2)
    sb = start_sandbox(api)
    expire(services, sb["reuse_token"], timedelta(days=1))
    for _ in range(3):
        api.post("/sandbox/status", **sb, expect=401)
    api.post("/sandbox/renew", **sb)


def test_unknown_and_wrong_tokens_take_the_same_code_path(
    app: tuple[Api, Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both spend exactly one constant-time comparison of a full hash and get one message."""
    api, _ = app
    sb = start_sandbox(api)
    compared: list[tuple[int, int]] = []
    real = tokens.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    wrong = sb["reuse_token"][:-4] + "AAAA"
    unknown = "drt_" + "z" * 12 + sb["reuse_token"][16:]
    messages, comparisons = [], []
    for token in (wrong, unknown):
        compared.clear()
        body = api.post("/sandbox/status", **{**sb, "reuse_token": token}, expect=401)
        messages.append(error(body)["message"])
        comparisons.append(list(compared))
    # the API key's check, then the token's: the same work whether the token id exists or not
    assert comparisons[0] == comparisons[1] == [(64, 64), (64, 64)]
    assert messages[0] == messages[1]


def test_token_rows_hold_hashes_never_plaintext(app: tuple[Api, Services]) -> None:
    api, services = app
    sb = start_sandbox(api)
    secret = sb["reuse_token"].split("_", 2)[2]
    with services.database.session() as session:
        for token in session.scalars(select(store.ReuseToken)):
            assert secret not in token.secret_hash
        hashes = [t.secret_hash for t in session.scalars(select(store.ReuseToken))]
        assert tokens.hash_secret(secret) in hashes
        rows = repr([vars(e) for e in session.scalars(select(store.AuditEvent))])
    assert sb["reuse_token"] not in rows and secret not in rows
