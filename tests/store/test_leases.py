"""Row leases on SQLite and PostgreSQL: one holder until expiry or release, renewable by it."""

from __future__ import annotations

from datetime import timedelta

from draftroom import store
from draftroom.store import AuditSinkLease, Database
from draftroom.store.leases import claim_row_lease

HOUR = timedelta(hours=1)


def test_a_lease_is_held_by_one_holder_until_it_expires(database: Database) -> None:
    now = store.utc_now()
    with database.session() as session:  # the first claim inserts the row
        assert claim_row_lease(session, AuditSinkLease, "sink_id", "s", "a", now, now + HOUR)
    with database.session() as session:
        assert not claim_row_lease(session, AuditSinkLease, "sink_id", "s", "b", now, now + HOUR)
        assert claim_row_lease(session, AuditSinkLease, "sink_id", "t", "b", now, now + HOUR)
        assert claim_row_lease(session, AuditSinkLease, "sink_id", "s", "a", now, now + HOUR)
    later = now + 2 * HOUR
    with database.session() as session:
        assert claim_row_lease(session, AuditSinkLease, "sink_id", "s", "b", later, later + HOUR)
        assert session.get(AuditSinkLease, "s").holder == "b"  # type: ignore[union-attr]


def test_a_released_maintenance_lease_is_free_before_it_expires(database: Database) -> None:
    now = store.utc_now()
    with database.session() as session:
        assert store.maintenance.claim_lease(session, "a", now, now + HOUR)
    with database.session() as session:
        assert not store.maintenance.claim_lease(session, "b", now, now + HOUR)
        store.maintenance.release_lease(session, "a", now)
    with database.session() as session:
        assert store.maintenance.claim_lease(session, "b", now, now + HOUR)
        assert store.maintenance.last_finished(session) == now
