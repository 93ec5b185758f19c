from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from draftroom.store import Database, get_or_create_org, get_org


def test_get_or_create_org_creates_once(database: Database) -> None:
    with database.session() as session:
        first = get_or_create_org(session, "acme")
        again = get_or_create_org(session, "acme")
        other = get_or_create_org(session, "globex")
    assert first.id == again.id != other.id
    with database.session() as session:
        found = get_org(session, "acme")
        assert found is not None and found.id == first.id
        assert get_org(session, "missing") is None


def test_racing_creators_get_the_same_org(database: Database) -> None:
    def create() -> int:
        with database.session() as session:
            return get_or_create_org(session, "acme").id

    with ThreadPoolExecutor(4) as pool:
        ids = {future.result() for future in [pool.submit(create) for _ in range(8)]}
    assert len(ids) == 1
