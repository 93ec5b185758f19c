"""One scrape of ``/metrics``: the calls counted (this process's, or every worker's files)
and the states read from the database at scrape time (merge requests, the upstream outbox).

States come from the database, so every node answers the same; counters are per node
(sum them across nodes in Prometheus).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.monitoring.metrics import MULTIPROC_ENV, CallMetrics

if TYPE_CHECKING:  # imported when used: see ``metrics`` on why
    from prometheus_client.registry import Collector, CollectorRegistry

MERGE_STATES = ("pending", "merged", "rejected", "superseded")
OWED_STATES = ("pending", "failed")
"""Outbox states whose branch still waits for a push: the upstream queue."""
FAILING_STATES = ("failed", "diverged")


class StateCollector:
    """Gauges read from the database on each scrape (every org's rows, no org label)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def describe(self) -> list[Any]:
        return []  # no query when registered; the names are known only at scrape time

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        with self.services.database.session() as session:
            requests = store.monitoring.merge_requests_by_state(session)
            outbox = store.monitoring.outbox_by_state(session)
        merge = GaugeMetricFamily(
            "draftroom_merge_requests", "Merge requests by state.", labels=["state"]
        )
        for state in MERGE_STATES:
            merge.add_metric([state], requests.get(state, 0))
        yield merge
        depth = sum(outbox.get(state, 0) for state in OWED_STATES)
        yield GaugeMetricFamily(
            "draftroom_upstream_queue_depth", "Branches waiting to be pushed upstream.", depth
        )
        failing = GaugeMetricFamily(
            "draftroom_upstream_failing_branches",
            "Branches whose last push failed (retrying) or diverged (an admin resolves it).",
            labels=["state"],
        )
        for state in FAILING_STATES:
            failing.add_metric([state], outbox.get(state, 0))
        yield failing


class _Counted:
    """This process's ``CallMetrics`` as one collector among others in a scrape."""

    def __init__(self, metrics: CallMetrics) -> None:
        self.metrics = metrics

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Iterable[Any]:
        return self.metrics.registry.collect()


def scrape_registry(services: Services) -> CollectorRegistry:
    """A registry whose every collect is one scrape: with ``PROMETHEUS_MULTIPROC_DIR`` set,
    the counters summed from every worker's files, else this process's own; and the states."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry(auto_describe=True)
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    else:
        registry.register(cast("Collector", _Counted(services.component(CallMetrics))))
    registry.register(cast("Collector", StateCollector(services)))
    return registry


def exposition(services: Services) -> tuple[bytes, str]:
    """The Prometheus text of one scrape, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return generate_latest(scrape_registry(services)), CONTENT_TYPE_LATEST


def prepare_multiprocess_dir(path: Path) -> Path:
    """Empty ``path`` (a previous run's counts) and name it for every worker to come."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, mode=0o700)
    os.environ[MULTIPROC_ENV] = str(path.resolve())
    return path


def forget_worker(pid: int) -> None:
    """A worker exits: drop its live gauges' files (counters stay, so totals never fall)."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
