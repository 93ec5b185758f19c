"""Delivering alert events to a webhook, from a background thread, with retries.

``send`` only enqueues, so a request is never slowed by the webhook; a daemon thread posts
each event as JSON, retrying with exponential backoff. When the queue is full (the webhook
is down for long) new events are dropped and counted rather than piling up in memory.
Events carry ids and codes only (see ``failures.FailedCall``), never a secret. The URL was
checked when the settings were read (``config.check_webhook_url``) and is checked again
before each delivery, so a name that later resolves to a private address gets nothing.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from draftroom.config import check_webhook_url

logger = logging.getLogger("draftroom.alerts")

MAX_QUEUED = 1000
ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 0.5
TIMEOUT_SECONDS = 5.0


class AlertSender:
    """Posts events to ``url``; with no url, ``send`` does nothing."""

    def __init__(
        self,
        url: str | None,
        *,
        attempts: int = ATTEMPTS,
        first_backoff: float = FIRST_BACKOFF_SECONDS,
        allow_private: bool = False,
    ) -> None:
        self.url = url
        self.allow_private = allow_private
        self.attempts = attempts
        self.first_backoff = first_backoff
        self.delivered = 0
        self.dropped = 0
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(MAX_QUEUED)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False

    @property
    def host(self) -> str | None:
        """The webhook's host (and port) only: its path and query often hold a secret."""
        if self.url is None:
            return None
        return urlsplit(self.url).netloc.rpartition("@")[2]

    def send(self, event: dict[str, Any]) -> None:
        if self.url is None or self._closed:
            return
        self._ensure_thread()
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1

    def wait_idle(self, timeout: float) -> bool:
        """True once every queued event was delivered or given up on (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self) -> None:
        """Stop delivering: events still queued are dropped (shutdown, tests)."""
        self._closed = True

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="draftroom-alerts", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        assert self.url is not None
        with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
            while True:
                event = self._queue.get()
                try:
                    if self._closed:
                        self.dropped += 1
                    else:
                        self._deliver(client, self.url, event)
                finally:
                    self._queue.task_done()

    def _deliver(self, client: httpx.Client, url: str, event: dict[str, Any]) -> None:
        try:
            check_webhook_url(url, allow_private=self.allow_private, what="the alert webhook")
        except ValueError as exc:
            self.dropped += 1
            logger.warning("alert not sent: %s", exc)
            return
        backoff = self.first_backoff
        for attempt in range(1, self.attempts + 1):
            try:
                response = client.post(url, json=event)
                if response.status_code < 300:
                    self.delivered += 1
                    return
                problem = f"status {response.status_code}"
            except httpx.HTTPError as exc:
                problem = type(exc).__name__
            if attempt < self.attempts:
                time.sleep(backoff)
                backoff *= 2
        self.dropped += 1
        logger.warning("alert webhook gave up after %d attempts (%s)", self.attempts, problem)
