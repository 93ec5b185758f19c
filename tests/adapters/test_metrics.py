"""``GET /metrics``: Prometheus text an admin key reads, whose counters match the calls made."""

from __future__ import annotations

from draftroom.domain.calls import Services
from tests.support.api import AdminApi, Api, AppFactory, start_sandbox, write
from tests.support.metrics import scrape, value


def test_metrics_count_each_call_by_tool_and_status_commits_and_rollbacks(
    api: Api, services: Services
) -> None:
    admin = AdminApi(api.client, services)
    key = admin.headers["Authorization"].removeprefix("Bearer ")
    before = scrape(api.client, key)
    sb = start_sandbox(api)
    first = write(api, sb, "a.txt", "one\n")
    write(api, sb, "b.txt", "two\n")
    api.post("/files/read", expect=404, **sb, path="missing.txt")
    api.post("/git/rollback_commit", **sb, commit_sha=first, reason="not wanted")
    after = scrape(api.client, key)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    calls = "draftroom_tool_calls_total"
    assert delta(calls, tool="files.write", status="ok") == 2
    assert delta(calls, tool="files.read", status="path_not_found") == 1
    assert delta(calls, tool="git.rollback_commit", status="ok") == 1
    assert delta(calls, tool="sandbox.init", status="ok") == 1
    assert delta("draftroom_commits_total") == 2
    assert delta("draftroom_rollbacks_total") == 1
    histogram = "draftroom_tool_call_duration_seconds_count"
    assert delta(histogram, tool="files.write") == 2
    assert (
        value(after, "draftroom_tool_call_duration_seconds_bucket", tool="files.write", le="+Inf")
        >= 2
    )
    assert value(after, "draftroom_merge_requests", state="pending") == 0
    assert value(after, "draftroom_upstream_queue_depth") == 0


def test_merge_requests_are_counted_by_state_from_the_database(
    api: Api, services: Services
) -> None:
    admin = AdminApi(api.client, services)
    sb = start_sandbox(api)
    write(api, sb, "a.txt", "one\n")
    api.post("/merge/request", expect=201, **sb, title="Add a")
    samples = scrape(api.client, admin.headers["Authorization"].removeprefix("Bearer "))
    assert value(samples, "draftroom_merge_requests", state="pending") == 1
    assert value(samples, "draftroom_merge_requests", state="merged") == 0


def test_lockouts_and_quota_refusals_are_counted_apart(make_app: AppFactory) -> None:
    api, services = make_app(token_failures_before_lockout=2, max_commits_per_minute=1)
    key = AdminApi(api.client, services).headers["Authorization"].removeprefix("Bearer ")
    sb = start_sandbox(api)
    write(api, sb, "a.txt", "one\n")
    refused = api.post("/files/write", expect=429, **sb, path="b.txt", content="x", message="b")
    assert refused["error"]["code"] == "rate_limited"
    wrong = {**sb, "reuse_token": sb["reuse_token"][:-4] + "AAAA"}
    codes = [
        api.client.post("/sandbox/status", json=wrong, headers=api.headers).json()["error"]["code"]
        for _ in range(3)
    ]
    assert codes[-1] == "rate_limited"
    samples = scrape(api.client, key)
    assert value(samples, "draftroom_lockouts_total") == codes.count("rate_limited")
    assert value(samples, "draftroom_quota_refusals_total", code="rate_limited") == 1


def test_metrics_need_an_admin_key(api: Api, services: Services) -> None:
    missing = api.client.get("/metrics")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthorized"
    agent = api.client.get("/metrics", headers=api.headers)
    assert agent.status_code == 403
    assert agent.json()["error"]["code"] == "insufficient_scope"
    assert "draftroom_tool_calls" not in agent.text
