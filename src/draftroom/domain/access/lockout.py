"""Wrong-reuse-token lockout, keyed by what was attacked: the API key, and the token id.

Never by client address: every user of one Custom GPT calls from OpenAI's few egress
addresses, so an address lockout lets one user lock out all. Each check reserves a unit on
every subject before the secret is compared (``store.reserve_token_check``, atomic in the
database, so exact across threads, workers and processes) and gives it back when the token
was right, expired or revoked (its holder had the secret). So of N concurrent wrong tokens
exactly ``limit`` are compared; the rest are 429 without looking at the secret.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Call
from draftroom.errors import RateLimited, Unauthorized
from draftroom.store import utc_now

FAILED_TOKEN_CODE = "unauthorized"
"""The code of a wrong, unknown or malformed reuse token (not expired/revoked: those were right)."""


@contextmanager
def token_check(call: Call, session: Session, token_id: str | None) -> Iterator[None]:
    """Guard one reuse-token check (the block): 429 before it when the caller's API key, or
    the token ``token_id`` names, already had too many wrong ones in the window.

    A block that raises exactly ``Unauthorized`` (a wrong token) keeps its units counted;
    any other ending gives them back. Both are committed on ``session`` (the call's) at once,
    so a failing call's rollback cannot take its count along.
    """
    subjects = [f"key:{call.principal.api_key_id}"]
    if token_id is not None:
        subjects.append(f"token:{token_id}")
    windows = _reserve(call, session, subjects)
    try:
        yield
    except Unauthorized as exc:
        if type(exc) is not Unauthorized:
            _release(session, windows)
        raise
    except BaseException:
        _release(session, windows)
        raise
    _release(session, windows)


def _reserve(call: Call, session: Session, subjects: list[str]) -> dict[str, datetime]:
    """One transaction: every subject reserved, or none (then ``RateLimited``)."""
    settings = call.services.settings
    window = timedelta(seconds=settings.token_lockout_seconds)
    limit = settings.token_failures_before_lockout
    now = utc_now()
    windows: dict[str, datetime] = {}
    for subject in subjects:
        reserved, started = store.reserve_token_check(session, subject, now, now - window, limit)
        if not reserved:
            session.rollback()
            raise _locked(subject, limit, settings.token_lockout_seconds, started + window, now)
        windows[subject] = started
    session.commit()
    return windows


def _release(session: Session, windows: dict[str, datetime]) -> None:
    for subject, started in windows.items():
        store.release_token_check(session, subject, started)
    session.commit()


def _locked(
    subject: str, limit: int, seconds: int, frees_at: datetime, now: datetime
) -> RateLimited:
    who = "this API key" if subject.startswith("key:") else "this reuse token"
    retry = max(1, math.ceil((frees_at - now).total_seconds()))
    return RateLimited(
        f"too many wrong reuse tokens for {who} ({limit} in {seconds} s); wait {retry} s and "
        "check the token you were given",
        retry_after=retry,
    )


def retry_after(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than ``limit`` of ``times`` (oldest first) are inside the window."""
    frees_at = times[len(times) - limit] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))
