"""Wrong-reuse-token lockout, keyed by what was attacked: the API key, and the token id.

Never by client address: every user of one Custom GPT calls from OpenAI's few egress
addresses, so an address lockout lets one user lock out all. Each check locks the counter of
every subject before the secret is compared (``store.lock_token_checks``) and counts itself
only when the token was wrong, so of N concurrent wrong tokens exactly ``limit`` are
compared, the rest are 429 without looking at the secret, and right tokens are never
refused because others are being checked at the same moment. With ``DRAFTROOM_REDIS_URL`` the
counters live in Redis (``shared_failure_check``), under a Redis lock per subject instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.calls import Call, SharedCounters
from draftroom.errors import RateLimited, Unauthorized
from draftroom.store import utc_now

FAILED_TOKEN_CODE = "unauthorized"
"""The code of a wrong, unknown or malformed reuse token (not expired/revoked: those were right)."""


@contextmanager
def token_check(call: Call, session: Session, token_id: str | None) -> Iterator[None]:
    """Guard one reuse-token check (the block): 429 before it when the caller's API key, or
    the token ``token_id`` names, already had too many wrong ones in the window.

    A block that raises exactly ``Unauthorized`` (a wrong token) is counted; right, expired
    and revoked tokens (their holder had the secret) are not. The counters stay locked until
    the block ends and are committed on ``session`` (the call's) at once, so a failing call's
    rollback cannot take its count along.
    """
    subjects = [f"key:{call.principal.api_key_id}"]
    if token_id is not None:
        subjects.append(f"token:{token_id}")
    hint = "check the token you were given"
    counters = call.services.counters
    settings = call.services.settings
    if counters is None:
        with failure_check(session, settings, subjects, _wrong_tokens, hint):
            yield
        return
    with shared_failure_check(counters, settings, subjects, _wrong_tokens, hint):
        yield


@contextmanager
def failure_check(
    session: Session,
    settings: Settings,
    subjects: list[str],
    describe: Callable[[str], str],
    hint: str,
) -> Iterator[None]:
    """The lockout of ``token_check`` for any secret: 429 before the block when one of
    ``subjects`` had too many failures in the window (``describe`` names its subject for the
    message, ``hint`` says what to do); a block raising exactly ``Unauthorized`` counts as a failure of each subject."""
    limit = settings.token_failures_before_lockout
    now = utc_now()
    window = timedelta(seconds=settings.token_lockout_seconds)
    counters = store.lock_token_checks(session, subjects, now, now - window)
    for counter in counters:
        if counter.count >= limit:
            session.rollback()
            frees_at = counter.window_started_at + window
            seconds = settings.token_lockout_seconds
            raise _locked(describe(counter.subject), hint, limit, seconds, frees_at, now)
    try:
        yield
    except Unauthorized as exc:
        if type(exc) is Unauthorized:
            for counter in counters:
                counter.count += 1
        raise
    finally:
        session.commit()


@contextmanager
def shared_failure_check(
    counters: SharedCounters,
    settings: Settings,
    subjects: list[str],
    describe: Callable[[str], str],
    hint: str,
) -> Iterator[None]:
    """``failure_check`` counted in Redis, exact across nodes: each subject's check holds its
    Redis lock while the secret is compared, as the database's row lock does."""
    limit, seconds = settings.token_failures_before_lockout, settings.token_lockout_seconds
    with ExitStack() as held:
        for subject in sorted(subjects):  # one order everywhere: no two checks deadlock
            held.enter_context(counters.exclusive(subject))
        for subject in subjects:
            key = f"failures:{subject}"
            if counters.count(key) >= limit:
                retry = counters.seconds_left(key)
                now = utc_now()
                frees_at = now + timedelta(seconds=retry)
                raise _locked(describe(subject), hint, limit, seconds, frees_at, now)
        try:
            yield
        except Unauthorized as exc:
            if type(exc) is Unauthorized:
                for subject in subjects:
                    counters.increment(f"failures:{subject}", seconds)
            raise


def _wrong_tokens(subject: str) -> str:
    who = "this API key" if subject.startswith("key:") else "this reuse token"
    return f"too many wrong reuse tokens for {who}"


def _locked(
    too_many: str, hint: str, limit: int, seconds: int, frees_at: datetime, now: datetime
) -> RateLimited:
    retry = max(1, math.ceil((frees_at - now).total_seconds()))
    return RateLimited(
        f"{too_many} ({limit} in {seconds} s); wait {retry} s and {hint}",
        retry_after=retry,
        reason="lockout",  # told apart from a rate limit in /metrics
    )


def retry_after(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than ``limit`` of ``times`` (oldest first) are inside the window."""
    frees_at = times[len(times) - limit] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))
