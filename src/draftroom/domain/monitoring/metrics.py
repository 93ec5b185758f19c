"""What ``/metrics`` counts, recorded once per call by ``Registry.invoke``'s report step.

One ``CallMetrics`` per ``Services`` (``services.component(CallMetrics)``): its own registry,
so each app and each test counts alone. Under ``draftroom serve`` every worker writes its
values to files in ``PROMETHEUS_MULTIPROC_DIR`` (set by ``serve`` before any metric exists)
and a scrape sums them, whichever worker answers. prometheus-client is imported when the
first ``CallMetrics`` is built, not at import time: it picks its storage from that variable
when it is first imported. Labels are tool names and error codes only: never an org, a
repository, a key or a person.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from draftroom import store

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
ROLLBACK_TOOLS = frozenset(store.ROLLBACK_TOOLS)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
QUOTA_CODES = frozenset({"rate_limited", "quota_exceeded"})
"""Codes of a quota or rate refusal; a lockout (``reason: lockout``) is counted apart."""


@dataclass(frozen=True)
class Ended:
    """How one call ended, as the metrics see it."""

    tool: str
    seconds: float
    code: str | None = None
    """The error code; None when the call succeeded."""
    details: dict[str, Any] | None = None
    committed: bool = False
    """The call made a commit (its audit row names one)."""

    @property
    def status(self) -> str:
        return self.code or "ok"

    @property
    def lockout(self) -> bool:
        return (self.details or {}).get("reason") == "lockout"

    @property
    def quota_refusal(self) -> bool:
        """Refused by a standing quota or a rate limit (a daily byte quota answers 413)."""
        if self.lockout:
            return False
        daily = self.code == "payload_too_large" and "frees_at" in (self.details or {})
        return self.code in QUOTA_CODES or daily


class CallMetrics:
    """The counters and histograms of tool calls in this process."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.multiprocess_dir = os.environ.get(MULTIPROC_ENV) or None
        # Multiprocess values live in files; a registry would only hold this worker's copy.
        self.registry = CollectorRegistry(auto_describe=True)
        owner = None if self.multiprocess_dir else self.registry
        self.calls = Counter(
            "draftroom_tool_calls",
            "Tool calls by tool and status (ok or the error code).",
            ["tool", "status"],
            registry=owner,
        )
        self.latency = Histogram(
            "draftroom_tool_call_duration_seconds",
            "Time from admission to the audit row, by tool.",
            ["tool"],
            buckets=LATENCY_BUCKETS,
            registry=owner,
        )
        self.commits = Counter(
            "draftroom_commits", "Commits made by tool calls (rollbacks apart).", registry=owner
        )
        self.rollbacks = Counter(
            "draftroom_rollbacks",
            "Successful rollbacks, undos and restores of sandbox work.",
            registry=owner,
        )
        self.lockouts = Counter(
            "draftroom_lockouts",
            "Calls refused because too many wrong credentials were tried.",
            registry=owner,
        )
        self.quota_refusals = Counter(
            "draftroom_quota_refusals",
            "Calls refused by a quota or a rate limit, by error code.",
            ["code"],
            registry=owner,
        )

    def record(self, ended: Ended) -> None:
        """Count one call; never raises (a metric must not fail a call)."""
        self.calls.labels(tool=ended.tool, status=ended.status).inc()
        self.latency.labels(tool=ended.tool).observe(ended.seconds)
        if ended.code is None and ended.tool in ROLLBACK_TOOLS:
            self.rollbacks.inc()
        elif ended.code is None and ended.committed:
            self.commits.inc()
        if ended.lockout:
            self.lockouts.inc()
        elif ended.quota_refusal:
            self.quota_refusals.labels(code=ended.code).inc()
