"""Rate limits, quotas and lockouts counted in Redis (the ``limits`` library), so every node
sharing ``DRAFTROOM_REDIS_URL`` counts the same events exactly.

Each count is one atomic Redis script (``limits``' moving window and its ``INCRBY`` with
expiry), so no two nodes ever admit the same last slot. Without Redis the callers count in
the database as before; this module never decides a limit, it only counts.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import redis
from limits import RateLimitItemPerSecond
from limits.storage import RedisStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from draftroom.errors import RateLimited, ServiceUnavailable

LOCK_SECONDS = 10
"""Longest a subject's lockout check holds its Redis lock (one hash comparison)."""


@contextmanager
def _answered() -> Iterator[None]:
    """Redis down or slow: a typed 503 before anything was written, never a 500."""
    try:
        yield
    except redis.RedisError as exc:
        raise ServiceUnavailable(
            f"the shared counters (Redis) did not answer ({type(exc).__name__}); retry shortly"
        ) from None


class SharedCounters:
    """One process's handle on the shared counters; keys start with ``prefix``."""

    def __init__(self, url: str, prefix: str) -> None:
        self.storage = cast(RedisStorage, storage_from_string(url, key_prefix=prefix))
        self.moving = MovingWindowRateLimiter(self.storage)

    def take(self, what: str, subject: str, limit: int, seconds: int) -> int | None:
        """Count one event of ``subject`` in a moving window of ``seconds``: None when it
        is admitted (at most ``limit`` per window), else seconds until one is."""
        item = RateLimitItemPerSecond(limit, seconds)
        with _answered():
            if self.moving.hit(item, what, subject):
                return None
            reset_at = self.moving.get_window_stats(item, what, subject).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def add(self, key: str, amount: int, limit: int, expiry: int) -> int | None:
        """Add ``amount`` to the counter ``key`` (made with ``expiry`` seconds to live):
        None when the total stays within ``limit``, else the total before, and nothing is
        added (a refused amount is taken back at once)."""
        with _answered():
            total = self.storage.incr(key, expiry, amount=amount)
            if total <= limit:
                return None
            self.storage.incr(key, expiry, amount=-amount)
        return total - amount

    def increment(self, key: str, expiry: int) -> int:
        """Add one to counter ``key`` (made with ``expiry`` seconds to live); the new total."""
        with _answered():
            return self.storage.incr(key, expiry)

    def count(self, key: str) -> int:
        with _answered():
            return self.storage.get(key)

    def seconds_left(self, key: str) -> int:
        """Seconds until counter ``key`` expires (at least 1)."""
        with _answered():
            return max(1, math.ceil(self.storage.get_expiry(key) - time.time()))

    @contextmanager
    def exclusive(self, subject: str) -> Iterator[None]:
        """Hold ``subject``'s lock across nodes: one check of a secret at a time."""
        client = cast(redis.Redis, self.storage.get_connection())
        lock = client.lock(
            self.storage.prefixed_key(f"lock:{subject}"),
            timeout=LOCK_SECONDS,
            blocking_timeout=LOCK_SECONDS,
        )
        with _answered():
            if not lock.acquire():
                raise RateLimited(f"{subject} is being checked by others; retry", retry_after=1)
        try:
            yield
        finally:
            # Unreleased (Redis gone, or the lock outlived LOCK_SECONDS): it expires by itself.
            with contextlib.suppress(redis.RedisError):
                lock.release()
