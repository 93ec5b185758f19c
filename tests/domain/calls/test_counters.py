"""Rate limits, quotas and lockouts counted in Redis: shared by every node, exact under
concurrency (the real Redis at 127.0.0.1:6379, a fresh key prefix per test)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services, SharedCounters
from draftroom.domain.repos.setup import setup_default
from tests.support.api import Api, new_key, start_sandbox
from tests.support.nodes import REDIS_URL
from tests.support.server import free_port


@pytest.fixture
def two_nodes(tmp_path: Path, redis_prefix: str) -> Iterator[Callable[..., tuple[Api, Api]]]:
    """Two apps (two nodes: own Services, own Redis handle) over one database and
    repositories, each spoken to by the same agent key."""
    clients: list[TestClient] = []

    def build(**limits: Any) -> tuple[Api, Api]:
        settings = Settings(
            data_dir=tmp_path / "data", redis_url=REDIS_URL, redis_key_prefix=redis_prefix, **limits
        )
        first = Services(settings)
        setup_default(first)
        key = new_key(first)
        for services in (first, Services(settings)):
            clients.append(TestClient(create_app(settings, services)).__enter__())
        return Api(clients[0], key), Api(clients[1], key)

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def at_once(count: int, work: Callable[[], bool]) -> int:
    """Run ``work`` in ``count`` threads released together; how many returned True."""
    start, admitted = threading.Barrier(count), []

    def run() -> None:
        start.wait()
        if work():
            admitted.append(1)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(admitted)


def test_a_moving_window_admits_exactly_the_limit_at_once(redis_prefix: str) -> None:
    nodes = [SharedCounters(REDIS_URL, redis_prefix) for _ in range(2)]
    n = iter(range(100))
    assert at_once(20, lambda: nodes[next(n) % 2].take("commits", "t1", 5, 60) is None) == 5
    retry = nodes[0].take("commits", "t1", 5, 60)
    assert retry is not None and 1 <= retry <= 60
    assert nodes[1].take("commits", "t2", 5, 60) is None  # another subject counts apart


def test_a_quota_admits_exactly_what_fits_and_takes_back_a_refusal(redis_prefix: str) -> None:
    nodes = [SharedCounters(REDIS_URL, redis_prefix) for _ in range(2)]
    n = iter(range(100))
    assert at_once(10, lambda: nodes[next(n) % 2].add("bytes", 30, 100, 60) is None) == 3
    assert nodes[0].count("bytes") == 90
    assert nodes[1].add("bytes", 10, 100, 60) is None


def test_commits_per_minute_are_counted_across_nodes(
    two_nodes: Callable[..., tuple[Api, Api]],
) -> None:
    one, two = two_nodes(max_commits_per_minute=3)
    sb = start_sandbox(one)
    for n, node in enumerate((one, two, one)):
        node.post("/files/write", **sb, path=f"{n}.txt", content="x", message="m")
    refused = two.post("/files/write", 429, **sb, path="3.txt", content="x", message="m")
    assert refused["error"]["code"] == "rate_limited"


def test_daily_bytes_are_counted_across_nodes(two_nodes: Callable[..., tuple[Api, Api]]) -> None:
    one, two = two_nodes(max_sandbox_bytes_per_day=250)
    sb = start_sandbox(one)
    one.post("/files/write", **sb, path="a.txt", content="a" * 100, message="m")
    two.post("/files/write", **sb, path="b.txt", content="b" * 100, message="m")
    refused = one.post("/files/write", 413, **sb, path="c.txt", content="c" * 100, message="m")
    assert "has written 200 bytes" in refused["error"]["message"]
    two.post("/files/write", **sb, path="d.txt", content="d" * 50, message="m")  # still fits


def test_wrong_reuse_tokens_lock_out_on_every_node(
    two_nodes: Callable[..., tuple[Api, Api]],
) -> None:
    one, two = two_nodes(token_failures_before_lockout=3)
    sb = start_sandbox(one)
    wrong = {**sb, "reuse_token": sb["reuse_token"][:-4] + "zzzz"}
    for node in (one, two, one):
        assert node.post("/sandbox/status", 401, **wrong)["error"]["code"] == "unauthorized"
    locked = two.post("/sandbox/status", 429, **wrong)
    assert locked["error"]["code"] == "rate_limited"
    assert one.post("/sandbox/status", 429, **sb)["error"]["code"] == "rate_limited"


def test_a_commit_while_redis_is_down_is_a_typed_503_and_writes_nothing(
    make_app: Callable[..., tuple[Api, Services]],
) -> None:
    api, services = make_app(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    sb = start_sandbox(api)
    before = services.git(services.settings.repos_dir / "demo.git").head(sb["branch"])
    down = api.post("/files/write", 503, **sb, path="a.txt", content="a", message="m")
    assert down["error"]["code"] == "service_unavailable"
    assert services.git(services.settings.repos_dir / "demo.git").head(sb["branch"]) == before
