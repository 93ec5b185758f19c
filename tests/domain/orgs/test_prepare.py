"""Upgrading a single-org data dir: repositories move from DATA_DIR/repos/ into
DATA_DIR/orgs/SLUG/ when services start, and every sandbox, token, history and audit row
keeps working through the public surface."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.orgs import prepare_data_dir
from draftroom.domain.repos import setup_default
from draftroom.git import Repository
from tests.support.api import Api, new_key, start_sandbox, write
from tests.support.gitserver import log


@pytest.fixture
def start(tmp_path: Path, database_url: str) -> Iterator[Callable[[], Services]]:
    """Services on one data dir (``tmp_path/data``), each start a new one, all disposed after."""
    started: list[Services] = []

    def new() -> Services:
        settings = Settings(
            data_dir=tmp_path / "data", database_url=database_url, public_url="https://d.example"
        )
        started.append(Services(settings))
        return started[-1]

    yield new
    for each in started:
        each.database.dispose()


def set_path(services: Services, name: str, path: Path) -> None:
    with services.database.session() as session:
        session.execute(
            update(store.RepositoryRecord)
            .where(store.RepositoryRecord.name == name)
            .values(path=str(path))
        )


def row_path(services: Services, name: str) -> Path:
    with services.database.session() as session:
        org = store.get_org(session, "default")
        assert org is not None
        record = store.get_repository(session, org.id, name)
        assert record is not None
        return Path(record.path)


def into_old_layout(services: Services, name: str) -> Path:
    """Put repository ``name`` back where the single-org layout kept it, its row too."""
    data = services.settings.data_dir.resolve()
    old = data / "repos" / f"{name}.git"
    old.parent.mkdir(exist_ok=True)
    os.rename(row_path(services, name), old)
    set_path(services, name, old)
    return old


def test_an_old_data_dir_keeps_every_sandbox_token_history_and_audit_row(
    tmp_path: Path, start: Callable[[], Services]
) -> None:
    data = tmp_path / "data"
    before = start()
    setup_default(before)
    with TestClient(create_app(before.settings, before)) as client:
        api = Api(client, new_key(before))
        sandbox = start_sandbox(api)
        first, second = write(api, sandbox, "a.md", "one\n"), write(api, sandbox, "b.md", "two\n")
    elsewhere = Repository.init(tmp_path / "elsewhere.git", readme=b"mine\n").path
    with before.database.session() as session:
        org = store.get_org(session, "default")
        assert org is not None
        store.add_repository(session, org.id, "mine", str(elsewhere))
        audited = len(store.list_audit_events(session, limit=1000))
    old = into_old_layout(before, "demo")

    after = start()
    with TestClient(create_app(after.settings, after)) as client:
        new = (data / "orgs" / "default" / "demo.git").resolve()
        assert not old.exists() and not (data / "repos").exists()
        assert row_path(after, "demo") == new and log(new, sandbox["branch"])[:2] == [second, first]
        assert row_path(after, "mine") == Path(elsewhere)  # registered elsewhere: never moved
        again = Api(client, api.headers["Authorization"].removeprefix("Bearer "))
        assert again.post("/files/read", **sandbox, path="a.md")["content"] == "one\n"
        history = again.post("/git/history", **sandbox)["commits"]
        assert [c["sha"] for c in history[:2]] == [second, first]
        assert [c["tool"] for c in history[:2]] == ["files.write", "files.write"]
        third = write(again, sandbox, "c.md", "three\n")
        operations = {
            o["sha"]: o for o in again.post("/sandbox/operations", **sandbox)["operations"]
        }
        assert {first, second, third} <= set(operations)
        assert operations[first]["request_id"] is not None  # its audit row, found again
    with after.database.session() as session:
        assert len(store.list_audit_events(session, limit=1000)) > audited


def test_a_start_that_crashed_after_the_rename_fixes_the_row(
    start: Callable[[], Services],
) -> None:
    services = start()
    setup_default(services)
    new = row_path(services, "demo")
    old = into_old_layout(services, "demo")
    os.rename(old, new)  # renamed, row not yet updated: the crash
    assert [m.name for m in prepare_data_dir(services).moved] == ["demo"]
    assert row_path(services, "demo") == new
    assert prepare_data_dir(services).moved == []  # idempotent


def test_two_processes_starting_at_once_move_each_repository_once(
    tmp_path: Path, start: Callable[[], Services]
) -> None:
    services = start()
    setup_default(services)
    into_old_layout(services, "demo")
    starts = [start() for _ in range(4)]
    barrier = threading.Barrier(len(starts))
    moved: list[str] = []

    def prepare(each: Services) -> None:
        barrier.wait()
        moved.extend(m.name for m in prepare_data_dir(each).moved)

    threads = [threading.Thread(target=prepare, args=(each,)) for each in starts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert moved == ["demo"]
    assert row_path(services, "demo") == (tmp_path / "data/orgs/default/demo.git").resolve()
