"""The background loop that keeps repositories and their upstreams in step, and ``sync``.

One thread per server process: it drains the outbox whenever a commit is enqueued (or every
``upstream_poll_seconds``), and fetches each upstream's ``main`` every
``upstream_fetch_seconds``. Several processes may run it on one database: outbox rows are
leased and fetches claimed with conditional updates, so no branch is pushed twice at once.
It must never let one bad upstream stop the loop for the others. ``after_fetch`` (given by
whoever starts the worker) runs after each fetch, e.g. to tell sandboxes what ``main`` gained.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.upstream.fetch import FetchOutcome, fetch_main, reconcile
from draftroom.domain.upstream.outbox import PushOutcome, drain, on_enqueue
from draftroom.errors import RepoNotFound

log = logging.getLogger(__name__)


AfterFetch = Callable[[Services, int], object]
"""Run with the repository's id after each fetch of its ``main``; its failure is logged."""


def worker_id() -> str:
    return f"{os.getpid()}-{uuid.uuid4().hex[:12]}"


def after_fetched(services: Services, repository_id: int, after_fetch: AfterFetch | None) -> None:
    if after_fetch is None:
        return
    try:
        after_fetch(services, repository_id)
    except Exception:  # the fetch stands; the next one tries again
        log.exception("after-fetch step failed for repository %s", repository_id)


def fetch_due(services: Services, after_fetch: AfterFetch | None = None) -> list[FetchOutcome]:
    """Fetch every upstream whose turn has come (and this process claimed), then reconcile."""
    now = store.utc_now()
    interval = timedelta(seconds=services.settings.upstream_fetch_seconds)
    outcomes = []
    with services.database.session() as session:
        upstreams = list(store.list_upstreams(session))
        claimed = [
            u.repository_id
            for u in upstreams
            if (u.next_fetch_at is None or u.next_fetch_at <= now)
            and store.claim_fetch(session, u, now, now + interval)
        ]
    for repository_id in claimed:
        outcomes.append(fetch_main(services, repository_id))
        reconcile(services, repository_id)
        after_fetched(services, repository_id, after_fetch)
    return outcomes


class UpstreamWorker:
    """Start with ``start()``, stop with ``stop()`` (waits for the current round to end)."""

    def __init__(self, services: Services, after_fetch: AfterFetch | None = None) -> None:
        self.services = services
        self.after_fetch = after_fetch
        self.owner = worker_id()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        self._unsubscribe = on_enqueue(self.services, self._wake.set)
        self._thread = threading.Thread(target=self._run, name="draftroom-upstream", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._thread is not None:
            self._thread.join()

    def run_once(self) -> None:
        fetch_due(self.services, self.after_fetch)
        drain(self.services, self.owner)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception:  # one bad round must not end the loop; the next retries
                log.exception("upstream worker round failed")
            self._wake.wait(self.services.settings.upstream_poll_seconds)


@dataclass
class SyncReport:
    fetch: FetchOutcome
    pushes: list[PushOutcome] = field(default_factory=list)
    repository_id: int | None = None


def sync_repository(
    services: Services,
    org_id: int,
    repo_name: str,
    progress: Callable[[PushOutcome], None] | None = None,
) -> SyncReport:
    """Fetch ``main`` now and push every queued branch now, retry delays ignored."""
    with services.database.session() as session:
        record = store.find_repository(session, org_id, repo_name)
        if record is None or store.get_upstream(session, record.id) is None:
            raise RepoNotFound(f"no repository named {repo_name!r} with an upstream")
        repository_id = record.id
    report = SyncReport(fetch_main(services, repository_id), repository_id=repository_id)
    reconcile(services, repository_id)
    report.pushes = drain(services, worker_id(), repository_id=repository_id, progress=progress)
    return report


Lifespan = Callable[[object], AbstractAsyncContextManager[None]]


def with_upstream_worker(
    services: Services, inner: Lifespan, after_fetch: AfterFetch | None = None
) -> Lifespan:
    """An app lifespan running ``inner`` with the upstream worker alongside (if enabled)."""

    @asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        enabled = services.settings.upstream_worker
        worker = UpstreamWorker(services, after_fetch) if enabled else None
        if worker is not None:
            worker.start()
        try:
            async with inner(app):
                yield
        finally:
            if worker is not None:
                await asyncio.to_thread(worker.stop)

    return lifespan
