"""A person's commits on main become one ``human_change`` memory per commit in every active
sandbox that lacks them, once; draftroom's own commits never do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom.adapters.http import create_app
from draftroom.domain.calls import Services
from draftroom.domain.human_changes import record_human_changes
from draftroom.domain.upstream import fetch_main
from tests.support.api import Api, new_key, start_sandbox
from tests.support.gitserver import GitServer, commit_all, run_git
from tests.support.upstream import REPO, mirrored, repository_id, wait_for
from tests.support.webhooks import person_pushes_main


@pytest.fixture
def setup(tmp_path: Path, git_server: GitServer) -> Iterator[tuple[Api, Services]]:
    services = mirrored(tmp_path / "data", git_server, upstream_worker=False)
    with TestClient(create_app(services.settings, services)) as client:
        yield Api(client, new_key(services)), services


def notes(api: Api, sandbox: dict[str, str]) -> list[dict[str, Any]]:
    found = api.post("/memory/query", **sandbox, tags=["human"], limit=100)
    return [item for item in found["items"] if item["kind"] == "human_change"]


def fetch_and_tell(services: Services) -> int:
    fetch_main(services, repository_id(services))
    return record_human_changes(services, repository_id(services))


def test_each_commit_is_told_once_and_only_to_sandboxes_that_lack_it(
    setup: tuple[Api, Services], git_server: GitServer, tmp_path: Path
) -> None:
    api, services = setup
    older = start_sandbox(api, REPO)
    work = tmp_path / "work"
    person_pushes_main(git_server, work, "one.md", "1\n", "One")
    _, second = person_pushes_main(git_server, work, "two.md", "2\n", "Two")
    fetch_main(services, repository_id(services))
    newer = start_sandbox(api, REPO)  # starts from the fetched main: nothing to tell it

    assert record_human_changes(services, repository_id(services)) == 2
    assert record_human_changes(services, repository_id(services)) == 0

    told = notes(api, older)
    assert [n["text"].split(": ", 1)[1][:3] for n in told] == ["Two", "One"]
    assert told[0]["id"] == f"h-{second}"
    assert notes(api, newer) == []


def test_draftroom_merges_are_not_human_changes(
    setup: tuple[Api, Services], git_server: GitServer, tmp_path: Path
) -> None:
    api, services = setup
    admin = Api(api.client, new_key(services, "admin"))
    merged, watching = start_sandbox(api, REPO), start_sandbox(api, REPO)
    api.post("/files/write", **merged, path="feature.md", content="f\n", message="Feature")
    request = api.post("/merge/request", expect=201, **merged, title="Feature")
    admin.post(f"/admin/merge_requests/{request['id']}/approve", strategy="squash")

    assert fetch_and_tell(services) == 0
    assert notes(api, watching) == []
    person_pushes_main(git_server, tmp_path / "work", "after.md", "x\n", "By hand")
    assert fetch_and_tell(services) == 1
    (note,) = notes(api, watching)
    assert "By hand" in note["text"]


def test_a_message_that_looks_like_a_secret_is_withheld(
    setup: tuple[Api, Services], git_server: GitServer, tmp_path: Path
) -> None:
    api, services = setup
    sandbox = start_sandbox(api, REPO)
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    person_pushes_main(git_server, tmp_path / "work", "conf.md", "c\n", f"Rotate {token}")

    assert fetch_and_tell(services) == 1

    (note,) = notes(api, sandbox)
    assert token not in note["text"] and "withheld" in note["text"] and "conf.md" in note["text"]


def test_only_the_first_twenty_files_are_named(
    setup: tuple[Api, Services], git_server: GitServer, tmp_path: Path
) -> None:
    api, services = setup
    sandbox = start_sandbox(api, REPO)
    work = tmp_path / "work"
    run_git("clone", "-q", "-b", "main", str(git_server.path(REPO)), str(work))
    for n in range(25):
        (work / f"f{n:02}.md").write_text(f"{n}\n")
    commit_all(work, "Many files")
    run_git("push", "-q", "origin", "main", cwd=work)

    fetch_and_tell(services)

    (note,) = notes(api, sandbox)
    assert "f19.md" in note["text"] and "f20.md" not in note["text"]
    assert "(and 5 more)" in note["text"]


def test_the_scheduled_fetch_tells_sandboxes_without_a_webhook(
    tmp_path: Path, git_server: GitServer
) -> None:
    interval = 0.5
    services = mirrored(tmp_path / "data", git_server, upstream_fetch_seconds=interval)
    with TestClient(create_app(services.settings, services)) as client:
        api = Api(client, new_key(services))
        sandbox = start_sandbox(api, REPO)
        person_pushes_main(git_server, tmp_path / "work", "s.md", "s\n", "On schedule")
        wait_for(lambda: len(notes(api, sandbox)) == 1, timeout=interval + 4.5)
        assert "On schedule" in notes(api, sandbox)[0]["text"]
