"""How one ended call is counted: commits apart from rollbacks, lockouts apart from quotas."""

from __future__ import annotations

from draftroom.domain.monitoring import CallMetrics, Ended
from tests.support.metrics import parse, value


def scrape(metrics: CallMetrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    from prometheus_client import generate_latest

    return parse(generate_latest(metrics.registry).decode())


def test_each_kind_of_ending_lands_in_its_own_counter() -> None:
    metrics = CallMetrics()
    metrics.record(Ended("files.write", 0.02, committed=True))
    metrics.record(Ended("git.rollback_commit", 0.03, committed=True))
    metrics.record(Ended("files.write", 0.01, "stale_head", {"head": "abc"}))
    metrics.record(Ended("sandbox.status", 0.001, "rate_limited", {"reason": "lockout"}))
    metrics.record(Ended("files.write", 0.001, "rate_limited", {"retry_after": 3}))
    metrics.record(Ended("files.write", 0.001, "payload_too_large", {"frees_at": "x"}))
    metrics.record(Ended("files.write", 0.001, "payload_too_large", {"limit": 9}))
    samples = scrape(metrics)
    assert value(samples, "draftroom_commits_total") == 1
    assert value(samples, "draftroom_rollbacks_total") == 1
    assert value(samples, "draftroom_lockouts_total") == 1
    quota = "draftroom_quota_refusals_total"
    assert value(samples, quota, code="rate_limited") == 1
    assert value(samples, quota, code="payload_too_large") == 1  # the daily quota only
    calls = "draftroom_tool_calls_total"
    assert value(samples, calls, tool="files.write", status="ok") == 1
    assert value(samples, calls, tool="files.write", status="stale_head") == 1
    assert value(samples, "draftroom_tool_call_duration_seconds_count", tool="files.write") == 5


def test_two_services_count_apart() -> None:
    first, second = CallMetrics(), CallMetrics()
    first.record(Ended("files.read", 0.001))
    assert value(scrape(second), "draftroom_tool_calls_total", tool="files.read", status="ok") == 0
