"""Commits made for a person name them: ``git log`` on the bare repository shows the person
as author, draftroom as committer, and trailers naming the key and the sandbox; service-key
commits stay authored as the sandbox. Undo, rollback and sync commits take the same path."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom.domain.calls import Services
from tests.support.api import AdminApi, Api, start_sandbox, write
from tests.support.people import services_on
from tests.support.person_keys import add_person
from tests.support.trees import repo_of

DRAFTROOM = "draftroom <draftroom@localhost>"
LOG_FORMAT = "--format=%an <%ae>|%cn <%ce>|%(trailers:only,unfold)"


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Services:
    return services_on(database_url, tmp_path / "data")


def git_log(services: Services, revisions: str) -> list[tuple[str, str, dict[str, str]]]:
    """(author, committer, trailers) of each commit, newest first, as the git CLI reads them."""
    out = subprocess.run(
        ["git", "--git-dir", str(repo_of(services).path), "log", "-z", LOG_FORMAT, revisions],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = []
    for record in filter(None, out.split("\0")):
        author, committer, trailers = record.split("|", 2)
        pairs = (line.split(": ", 1) for line in trailers.splitlines() if line)
        found.append((author, committer, dict(pairs)))
    return found


def sandbox_work(api: Api, admin: AdminApi) -> tuple[dict[str, str], list[str]]:
    """Write, roll back, undo and sync (main moved meanwhile): the tools each calling."""
    sb = start_sandbox(api)
    write(api, sb, "a.md", "a\n")
    oops = write(api, sb, "b.md", "b\n")
    api.post("/git/rollback_commit", **sb, commit_sha=oops, reason="not yet")
    write(api, sb, "c.md", "c\n")
    api.post("/sandbox/undo", **sb, steps=1)
    other = start_sandbox(admin)
    write(admin, other, "d.md", "d\n")
    request = admin.post("/merge/request", expect=201, **other, title="Add d")
    admin.post(f"/admin/merge_requests/{request['id']}/approve")
    api.post("/sandbox/sync", **sb)
    tools = [
        "sandbox.sync",
        "sandbox.undo",
        "files.write",
        "git.rollback_commit",
        "files.write",
        "files.write",
    ]
    return sb, tools


def trailers_of(sb: dict[str, str], key_id: str, tool: str) -> dict[str, Any]:
    return {
        "Draftroom-Tool": tool,
        "Draftroom-Token-Id": sb["reuse_token"].split("_")[1],
        "Draftroom-Key": key_id,
        "Draftroom-Sandbox": sb["branch"],
    }


def test_a_persons_commits_name_them_as_author_and_draftroom_as_committer(
    client: TestClient, services: Services
) -> None:
    mia = add_person(services, "mia@acme.test", "member", name="Mia Wong")
    sb, tools = sandbox_work(mia.api(client), AdminApi(client, services))

    commits = git_log(services, f"main..{sb['branch']}")

    assert [c[2]["Draftroom-Tool"] for c in commits] == tools
    for (author, committer, trailers), tool in zip(commits, tools, strict=True):
        assert (author, committer) == ("Mia Wong <mia@acme.test>", DRAFTROOM)
        assert trailers_of(sb, mia.key_id, tool).items() <= trailers.items()


def test_a_person_without_a_name_is_named_by_their_emails_local_part(
    client: TestClient, services: Services
) -> None:
    rex = add_person(services, "rex.lee@acme.test", "reviewer")
    api = rex.api(client)
    sb = start_sandbox(api)
    write(api, sb, "a.md", "a\n")

    [(author, committer, _)] = git_log(services, f"main..{sb['branch']}")

    assert (author, committer) == ("rex.lee <rex.lee@acme.test>", DRAFTROOM)


def test_a_persons_commits_stay_the_sandboxs_own_operations(
    client: TestClient, services: Services
) -> None:
    """Undo, status and history tell the sandbox's commits apart by its trailer, not its
    author, so a person's commits are undone and listed like any."""
    api = add_person(services, "mia@acme.test", "member").api(client)
    sb = start_sandbox(api)
    first = write(api, sb, "a.md", "a\n")
    second = write(api, sb, "b.md", "b\n")
    api.post("/git/rollback_commit", **sb, commit_sha=second, reason="later")

    operations = api.post("/sandbox/operations", **sb)["operations"]
    assert [op["tool"] for op in operations] == [
        "git.rollback_commit",
        "files.write",
        "files.write",
    ]
    status = api.post("/sandbox/status", **sb)
    assert [r["reverted_sha"] for r in status["last_rollbacks"]] == [second]
    undone = api.post("/sandbox/undo", **sb, steps=3)
    assert undone["restored_to"] == repo_of(services).log(first, limit=1).commits[0].parents[0]


def test_service_key_commits_stay_authored_as_the_sandbox(
    client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    sb, tools = sandbox_work(admin, admin)

    commits = git_log(services, f"main..{sb['branch']}")

    assert [c[2]["Draftroom-Tool"] for c in commits] == tools
    for (author, committer, trailers), tool in zip(commits, tools, strict=True):
        assert (author, committer) == (
            f"draftroom ({sb['branch']}) <draftroom@localhost>",
            DRAFTROOM,
        )
        assert trailers_of(sb, admin.key_id, tool).items() <= trailers.items()
