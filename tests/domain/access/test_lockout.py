"""The wrong-token lockout: keyed by the attacked API key and token, never by an address
other callers share; exact under concurrency; ``X-Forwarded-For`` only from trusted proxies."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import select

from draftroom import store
from draftroom.adapters.clients import client_address
from draftroom.config import Settings, parse_networks
from draftroom.domain.calls import Services
from draftroom.domain.repos.setup import setup_default
from draftroom.store import Database
from tests.adapters.test_mcp import http_mcp_client, outcome_of, serving
from tests.support.api import Api, AppFactory, error, new_key, start_sandbox

WRONG = "drt_" + "a" * 12 + "_" + "b" * 43


def test_wrong_tokens_from_one_key_do_not_lock_out_another_key_at_the_same_address(
    make_app: AppFactory,
) -> None:
    attacker, services = make_app(token_failures_before_lockout=3)
    victim = Api(attacker.client, new_key(services))  # same client, same address
    sb = start_sandbox(victim)
    for _ in range(3):
        attacker.post("/sandbox/status", **{**sb, "reuse_token": WRONG}, expect=401)
    locked = attacker.client.post("/sandbox/status", json=sb, headers=attacker.headers)
    assert locked.status_code == 429 and "this API key" in error(locked.json())["message"]
    victim.post("/sandbox/status", **sb)
    for _ in range(5):
        victim.post("/files/list", **sb)


def test_over_mcp_one_key_locked_out_leaves_the_other_key_working(services: Services) -> None:
    services.settings.token_failures_before_lockout = 3
    attacker, victim = new_key(services), new_key(services)

    async def run(base: str) -> list[Any]:
        async with http_mcp_client(f"{base}/mcp", victim, "auto") as mine:
            code, started = outcome_of(await mine.call_tool("sandbox_init", {"repo_name": "demo"}))
            assert code is None
            sb = {"repo_name": "demo", "reuse_token": started["reuse_token"]}
            async with http_mcp_client(f"{base}/mcp", attacker, "auto") as theirs:
                codes = [
                    outcome_of(await theirs.call_tool("sandbox_status", {**sb, "reuse_token": t}))[
                        0
                    ]
                    for t in [WRONG] * 3 + [sb["reuse_token"]]
                ]
            codes.append(outcome_of(await mine.call_tool("sandbox_status", sb))[0])
            return codes

    with serving(services) as base:
        codes = anyio.run(run, base)
    assert codes == ["unauthorized"] * 3 + ["rate_limited", None]


@pytest.mark.slow
def test_of_sixty_concurrent_wrong_tokens_exactly_the_limit_are_checked(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", token_failures_before_lockout=10)
    services = Services(settings, Database(database_url, pool_size=20, max_overflow=60))
    setup_default(services)
    key = {"Authorization": f"Bearer {new_key(services)}"}
    body = {"repo_name": "demo", "reuse_token": WRONG}
    with (
        serving(services) as base,
        httpx.Client(base_url=base, timeout=60) as http,
        ThreadPoolExecutor(60) as pool,
    ):
        statuses = list(
            pool.map(
                lambda _: http.post("/sandbox/status", json=body, headers=key).status_code,
                range(60),
            )
        )
    assert sorted(statuses) == [401] * 10 + [429] * 50
    services.database.dispose()


@pytest.mark.slow
def test_concurrent_right_tokens_are_never_refused_for_one_another(
    database_url: str, tmp_path: Path
) -> None:
    """One Custom GPT's key serves many users at once: 40 right tokens in flight together,
    past a limit of 3 with 2 wrong ones already counted, all pass; the next wrong one counts."""
    settings = Settings(data_dir=tmp_path / "data", token_failures_before_lockout=3)
    services = Services(settings, Database(database_url, pool_size=20, max_overflow=60))
    setup_default(services)
    key = {"Authorization": f"Bearer {new_key(services)}"}
    with serving(services) as base, httpx.Client(base_url=base, timeout=60) as http:
        tokens = [
            http.post("/sandbox/init", json={"repo_name": "demo"}, headers=key).json()[
                "reuse_token"
            ]
            for _ in range(4)
        ]
        for _ in range(2):
            wrong = http.post(
                "/sandbox/status", json={"repo_name": "demo", "reuse_token": WRONG}, headers=key
            )
            assert wrong.status_code == 401
        with ThreadPoolExecutor(40) as pool:
            statuses = list(
                pool.map(
                    lambda n: (
                        http.post(
                            "/sandbox/status",
                            json={"repo_name": "demo", "reuse_token": tokens[n % 4]},
                            headers=key,
                        ).status_code
                    ),
                    range(40),
                )
            )
        assert statuses == [200] * 40
        body = {"repo_name": "demo", "reuse_token": WRONG}
        assert http.post("/sandbox/status", json=body, headers=key).status_code == 401
        assert http.post("/sandbox/status", json=body, headers=key).status_code == 429
    services.database.dispose()


def test_a_right_token_gives_its_check_back(make_app: AppFactory) -> None:
    api, _ = make_app(token_failures_before_lockout=3)
    sb = start_sandbox(api)
    for _ in range(2):
        api.post("/sandbox/status", **{**sb, "reuse_token": WRONG}, expect=401)
    for _ in range(10):
        api.post("/sandbox/status", **sb)
    api.post("/sandbox/status", **{**sb, "reuse_token": WRONG}, expect=401)
    assert error(api.post("/sandbox/status", **sb, expect=429))["code"] == "rate_limited"


def _audited_clients(services: Services) -> list[str]:
    with services.database.session() as session:
        rows = session.scalars(select(store.AuditEvent).order_by(store.AuditEvent.id)).all()
        return [row.detail["client"] for row in rows if row.tool == "sandbox.status"]


@pytest.mark.parametrize(
    ("trusted", "forwarded", "client"),
    [
        ("", "203.0.113.9", "127.0.0.1"),  # no proxy configured: the header is ignored
        ("10.0.0.0/8", "203.0.113.9", "127.0.0.1"),  # the peer is not a trusted proxy
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
        ("127.0.0.1, 10.0.0.0/8", "198.51.100.1, 203.0.113.9, 10.1.2.3", "203.0.113.9"),
        ("127.0.0.1", "junk, 203.0.113.9", "203.0.113.9"),
        ("127.0.0.1", "203.0.113.9, junk", "127.0.0.1"),
    ],
)
def test_forwarded_for_names_the_client_only_through_trusted_proxies(
    tmp_path: Path, trusted: str, forwarded: str, client: str
) -> None:
    services = Services(Settings(data_dir=tmp_path / "data", trusted_proxies=trusted))
    setup_default(services)
    key = {"Authorization": f"Bearer {new_key(services)}"}
    with serving(services) as base:
        headers = {**key, "X-Forwarded-For": forwarded}
        httpx.post(
            f"{base}/sandbox/status",
            json={"repo_name": "demo", "reuse_token": WRONG},
            headers=headers,
        )
    assert _audited_clients(services) == [client]


def test_trusted_proxies_must_be_addresses_or_networks(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'proxy\.example' is not an IP address"):
        Settings(data_dir=tmp_path, trusted_proxies="127.0.0.1, proxy.example")
    assert client_address("127.0.0.1", "::1", parse_networks("127.0.0.1")) == "::1"
    # TestClient's peer, ``testclient``, is no address: never inside a trusted network.
    assert client_address("testclient", "203.0.113.9", parse_networks("0.0.0.0/0")) == "testclient"
