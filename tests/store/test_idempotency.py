"""Idempotency key rows on both backends: one claim wins, the answer is kept, expiry frees."""

from __future__ import annotations

import functools
from datetime import timedelta

from tests.support.audit import add_audit_event

from draftroom import store
from draftroom.store import Database, KeyUse, utc_now

USE = KeyUse("key1", "files.write", "h" * 64)


def claim(database: Database, request_id: str, *, age: timedelta = timedelta(0)) -> object:
    now = utc_now()
    return store.claim_idempotency_key(
        database,
        USE,
        request_hash="r" * 64,
        request_id=request_id,
        now=now - age,
        expired_before=utc_now() - timedelta(hours=24),
        abandoned_before=utc_now() - timedelta(minutes=10),
    )


def test_the_first_claim_wins_and_a_second_sees_it_running_then_done(database: Database) -> None:
    assert claim(database, "first") is None
    running = claim(database, "second")
    assert isinstance(running, store.FirstUse) and running.state == "running"
    assert running.request_id == "first"
    with database.session() as session:
        store.finish_idempotency_key(session, USE, request_id="first", response="sealed")
    done = claim(database, "third")
    assert isinstance(done, store.FirstUse) and (done.state, done.response) == ("done", "sealed")


def test_a_released_claim_and_an_expired_one_can_be_claimed_again(database: Database) -> None:
    assert claim(database, "first") is None
    store.release_idempotency_key(database, USE, request_id="first")
    assert claim(database, "second") is None
    with database.session() as session:
        store.finish_idempotency_key(session, USE, request_id="second", response="x")
        session.query(store.IdempotencyKey).update({"created_at": utc_now() - timedelta(hours=25)})
    assert claim(database, "third") is None


def test_a_claim_whose_worker_died_is_taken_over(database: Database) -> None:
    assert claim(database, "dead", age=timedelta(minutes=11)) is None
    assert claim(database, "alive") is None


def test_bytes_written_since_sums_successful_calls_of_a_branch_or_a_repo(
    database: Database,
) -> None:
    since = utc_now() - timedelta(minutes=1)
    with database.session() as session:
        for branch, size, outcome in (
            ("a", 10, "ok"),
            ("a", 5, "ok"),
            ("b", 7, "ok"),
            ("a", 99, "error"),
        ):
            add_audit_event(
                session,
                request_id="r",
                tool="files.write",
                outcome=outcome,  # type: ignore[arg-type]
                duration_ms=1.0,
                repo="demo",
                branch=branch,
                bytes_written=size,
                org_id=1,
            )
        add_audit_event(  # the same names in another org: its own quota
            session,
            request_id="r",
            tool="files.write",
            outcome="ok",
            duration_ms=1.0,
            repo="demo",
            branch="a",
            bytes_written=1000,
            org_id=2,
        )
    sums = functools.partial(store.bytes_written_since, org_id=1)
    with database.session() as session:
        assert sums(session, repo="demo", branch="a", since=since) == (15, 22)
        assert sums(session, repo="demo", branch="c", since=since) == (0, 22)
        assert sums(session, repo="other", branch="a", since=since) == (0, 0)
        later = utc_now()
        assert sums(session, repo="demo", branch="a", since=later) == (0, 0)
