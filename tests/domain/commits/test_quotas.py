"""Quotas an agent cannot get around by volume (issue 14, M4): sandboxes per API key, bytes
a sandbox's commits add per day (every blob, not only the tip), repository growth per day."""

from __future__ import annotations

from fastapi.testclient import TestClient

from draftroom.adapters.http import create_app
from draftroom.domain.calls.services import Services
from tests.support.api import Api, AppFactory, error, new_key, start_sandbox


def test_one_sandbox_past_the_keys_quota_is_429_quota_exceeded(make_app: AppFactory) -> None:
    api, services = make_app(max_sandboxes_per_key=3)
    for _ in range(3):
        start_sandbox(api)

    body = api.post("/sandbox/init", expect=429, repo_name="demo", mode="branch")

    assert error(body)["code"] == "quota_exceeded"
    assert "3 active sandboxes (limit 3)" in error(body)["message"]
    start_sandbox(Api(api.client, new_key(services)))  # another key has its own quota


def test_rewriting_one_path_counts_every_write_against_the_daily_quota(
    make_app: AppFactory,
) -> None:
    mib = 2**20
    api, services = make_app(max_file_bytes=mib, max_sandbox_bytes_per_day=5 * mib)
    sb = start_sandbox(api)
    for i in range(5):
        api.post("/files/write", **sb, path="big.bin", content=str(i) * mib, message="m")
    head = services.git(services.settings.repos_dir / "demo.git").head(sb["branch"])

    body = api.post(
        "/files/write", **sb, path="big.bin", content="x" * mib, message="m", expect=413
    )

    err = error(body)
    assert err["code"] == "payload_too_large"
    assert "per day" in err["message"] and "frees up at" in err["message"]
    assert err["details"]["used"] == 5 * mib and err["details"]["frees_at"].endswith("T00:00:00Z")
    assert services.git(services.settings.repos_dir / "demo.git").head(sb["branch"]) == head
    # deleting is always allowed; another sandbox has its own daily budget
    api.post("/git/commit", **sb, changes=[{"path": "big.bin", "delete": True}], message="m")
    api.post("/files/write", **start_sandbox(api), path="a.bin", content="y" * mib, message="m")


def test_repository_growth_per_day_counts_every_sandbox(make_app: AppFactory) -> None:
    api, _ = make_app(max_repo_growth_per_day=3000)
    a, b = start_sandbox(api), start_sandbox(api)
    api.post("/files/write", **a, path="a.txt", content="a" * 2000, message="m")

    body = api.post("/files/write", **b, path="b.txt", content="b" * 2000, message="m", expect=413)

    assert "repository 'demo'" in error(body)["message"]
    assert "frees up at" in error(body)["message"]


def test_quotas_hold_across_processes_through_the_audit_table(make_app: AppFactory) -> None:
    """A second app over the same data dir (another worker) sees what the first wrote."""
    api, services = make_app(max_sandbox_bytes_per_day=3000)
    sb = start_sandbox(api)
    api.post("/files/write", **sb, path="a.txt", content="a" * 2000, message="m")
    other = Services(services.settings)
    with TestClient(create_app(other.settings, other)) as client:
        again = Api(client, api.headers["Authorization"].removeprefix("Bearer "))
        body = again.post(
            "/files/write", **sb, path="b.txt", content="b" * 2000, message="m", expect=413
        )
    assert error(body)["code"] == "payload_too_large"
