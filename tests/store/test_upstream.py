"""The outbox rows on SQLite and PostgreSQL: one lease per branch, no commit forgotten."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from draftroom import store
from draftroom.store import Database

DAY = timedelta(days=1)


def outbox(database: Database) -> tuple[int, int]:
    """A repository with an upstream and one queued branch: (repository id, row id)."""
    with database.session() as session:
        org = store.get_or_create_org(session, "acme")
        record = store.add_repository(session, org.id, "team", "/nowhere")
        store.add_upstream(
            session,
            repository_id=record.id,
            url="file:///x",
            credential_id=None,
            main_branch="main",
        )
        store.enqueue_outbox(session, record.id, "sandbox-a", "a" * 40)
        entry = store.get_outbox_entry(session, record.id, "sandbox-a")
        assert entry is not None
        return record.id, entry.id


def test_only_one_worker_leases_a_branch_until_its_lease_expires(database: Database) -> None:
    _, entry_id = outbox(database)
    now = store.utc_now()
    with database.session() as session:
        assert [e.id for e in store.due_outbox(session, now)] == [entry_id]
        assert store.lease_outbox_entry(session, entry_id, "one", now, now + timedelta(minutes=5))
    with database.session() as session:
        assert not store.lease_outbox_entry(
            session, entry_id, "two", now, now + timedelta(minutes=5)
        )
        assert store.due_outbox(session, now) == []
    later = now + timedelta(minutes=6)
    with database.session() as session:
        assert store.lease_outbox_entry(
            session, entry_id, "two", later, later + timedelta(minutes=5)
        )


def test_a_commit_enqueued_during_a_push_keeps_the_branch_due(database: Database) -> None:
    repository_id, entry_id = outbox(database)
    now = store.utc_now()
    with database.session() as session:
        store.lease_outbox_entry(session, entry_id, "one", now, now + timedelta(minutes=5))
        generation = store.get_outbox_entry(session, repository_id, "sandbox-a").generation  # type: ignore[union-attr]
    with database.session() as session:  # a new commit lands while "one" pushes "a"
        store.enqueue_outbox(session, repository_id, "sandbox-a", "b" * 40)
    with database.session() as session:
        store.finish_push(session, entry_id, "one", pushed_sha="a" * 40, generation=generation)
    with database.session() as session:
        entry = store.get_outbox_entry(session, repository_id, "sandbox-a")
        assert entry is not None
        assert (entry.state, entry.pushed_sha, entry.target_sha) == ("pending", "a" * 40, "b" * 40)
        assert entry.next_attempt_at is not None and entry.lease_owner is None


def test_failures_back_off_and_a_diverged_branch_waits_for_an_admin(database: Database) -> None:
    repository_id, entry_id = outbox(database)
    now = store.utc_now()
    retry_at = now + timedelta(seconds=30)
    with database.session() as session:
        store.lease_outbox_entry(session, entry_id, "one", now, now + timedelta(minutes=5))
        store.fail_push(session, entry_id, "one", error="down", retry_at=retry_at)
    with database.session() as session:
        store.enqueue_outbox(session, repository_id, "sandbox-a", "c" * 40)  # no retry storm
        assert store.due_outbox(session, now) == []
        assert [e.id for e in store.due_outbox(session, retry_at)] == [entry_id]
        store.mark_diverged(session, entry_id, None, error="moved upstream")
        store.enqueue_outbox(session, repository_id, "sandbox-a", "d" * 40)
    with database.session() as session:
        entry = store.get_outbox_entry(session, repository_id, "sandbox-a")
        assert entry is not None and entry.state == "diverged" and entry.attempts == 1
        assert store.due_outbox(session, retry_at + timedelta(days=1)) == []


def test_one_pusher_per_repository_leases_one_branch_at_a_time(database: Database) -> None:
    repository_id, first = outbox(database)
    now, lease = store.utc_now(), timedelta(minutes=5)
    with database.session() as session:
        store.enqueue_outbox(session, repository_id, "sandbox-b", "b" * 40)
        second = store.get_outbox_entry(session, repository_id, "sandbox-b")
        assert second is not None
        second_id = second.id
    with database.session() as session:
        assert store.lease_outbox_entry(session, first, "node-1", now, now + lease)
    with database.session() as session:
        assert not store.lease_outbox_entry(session, second_id, "node-2", now, now + lease)
        store.finish_push(session, first, "node-1", pushed_sha="a" * 40, generation=0)
    with database.session() as session:
        assert store.lease_outbox_entry(session, second_id, "node-2", now, now + lease)


@pytest.mark.postgres
def test_nodes_leasing_branches_of_one_repository_at_once_get_one_lease(
    postgres_schema_url: str,
) -> None:
    database = Database(postgres_schema_url)
    database.migrate()
    repository_id, _ = outbox(database)
    with database.session() as session:
        for n in range(7):
            store.enqueue_outbox(session, repository_id, f"sandbox-{n}", "c" * 40)
        ids = [e.id for e in store.list_outbox(session, repository_id)]
    now, start = store.utc_now(), threading.Barrier(len(ids))
    won: list[int] = []

    def lease(entry_id: int) -> None:
        start.wait()
        with database.session() as session:
            if store.lease_outbox_entry(session, entry_id, f"node-{entry_id}", now, now + DAY):
                won.append(entry_id)

    threads = [threading.Thread(target=lease, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
