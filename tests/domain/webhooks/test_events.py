"""Events besides a push to main: a person's push to a sandbox branch is checked for
divergence at once (draftroom's own push is not), and a closed pull request updates the
merge request that published it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.domain.calls import Services
from draftroom.domain.upstream import drain
from tests.support.api import Api, new_key, start_sandbox
from tests.support.gitserver import GitServer, commit_all, log, run_git
from tests.support.upstream import REPO, mirrored, repository_id
from tests.support.webhooks import deliver, push_payload, webhook_secret

PR_URL = "https://github.com/x/team/pull/9"


@pytest.fixture
def served(tmp_path: Path, git_server: GitServer) -> Iterator[tuple[Api, Services]]:
    services = mirrored(tmp_path / "data", git_server, upstream_worker=False)
    with TestClient(create_app(services.settings, services)) as client:
        yield Api(client, new_key(services)), services


def test_a_persons_push_to_a_sandbox_branch_is_found_diverged_at_once(
    served: tuple[Api, Services], git_server: GitServer, tmp_path: Path
) -> None:
    api, services = served
    secret = webhook_secret(services)
    sandbox = start_sandbox(api, REPO)
    branch = sandbox["branch"]
    ours = api.post("/files/write", **sandbox, path="a.md", content="a\n", message="A")
    drain(services, "test", repository_id=repository_id(services))
    url = git_server.url(REPO)

    echo = deliver(
        api.client,
        "github",
        secret,
        push_payload("github", url, branch, "0" * 40, ours["commit_sha"]),
    )
    assert echo.json()["action"] == "ignored"

    work = tmp_path / "person"
    run_git("clone", "-q", "-b", branch, str(git_server.path(REPO)), str(work))
    (work / "b.md").write_text("by hand\n")
    commit_all(work, "By hand on the sandbox branch")
    run_git("push", "-q", "origin", branch, cwd=work)
    theirs = log(git_server.path(REPO), branch)[0]
    checked = deliver(
        api.client,
        "github",
        secret,
        push_payload("github", url, branch, ours["commit_sha"], theirs),
    )

    assert checked.json()["action"] == "checked" and checked.json()["state"] == "diverged"
    assert api.post("/sandbox/status", **sandbox)["upstream"] == "diverged"


def published_request(api: Api, services: Services) -> tuple[dict[str, str], int]:
    """A merged request published as a pull request (as an approval in pull_request mode
    leaves it; the fake-GitHub flow itself is covered in the upstream tests)."""
    sandbox = start_sandbox(api, REPO)
    api.post("/files/write", **sandbox, path="a.md", content="a\n", message="A")
    request = api.post("/merge/request", expect=201, **sandbox, title="A")
    with services.database.session() as session:
        row = store.get_merge_request(session, request["id"])
        assert row is not None
        row.status = "merged"
        published = {"mode": "pull_request", "state": "pull_request", "pull_request_url": PR_URL}
        row.preview = {**row.preview, "published": published}
    return sandbox, request["id"]


@pytest.mark.parametrize("merged,state", [(True, "merged"), (False, "closed")])
def test_a_closed_pull_request_is_followed_by_its_merge_request(
    served: tuple[Api, Services], git_server: GitServer, merged: bool, state: str
) -> None:
    api, services = served
    secret = webhook_secret(services)
    sandbox, request_id = published_request(api, services)
    payload = {
        "action": "closed",
        "pull_request": {"html_url": PR_URL, "merged": merged, "head": {"ref": sandbox["branch"]}},
        "repository": {"clone_url": git_server.url(REPO)},
    }

    answer = deliver(api.client, "github", secret, payload, event="pull_request")

    assert answer.json()["action"] == "followed" and answer.json()["merge_requests"] == [request_id]
    with services.database.session() as session:
        row = store.get_merge_request(session, request_id)
        assert row is not None and row.preview["published"]["state"] == state


def test_a_gitlab_merge_request_merged_is_followed_too(
    served: tuple[Api, Services], git_server: GitServer
) -> None:
    api, services = served
    secret = webhook_secret(services)
    sandbox, request_id = published_request(api, services)
    payload = {
        "object_kind": "merge_request",
        "object_attributes": {"action": "merge", "source_branch": sandbox["branch"], "url": PR_URL},
        "project": {"git_http_url": git_server.url(REPO)},
    }
    answer = deliver(api.client, "gitlab", secret, payload, event="pull_request")
    assert answer.json()["merge_requests"] == [request_id]


def test_another_pull_request_changes_no_merge_request(
    served: tuple[Api, Services], git_server: GitServer
) -> None:
    api, services = served
    secret = webhook_secret(services)
    sandbox, request_id = published_request(api, services)
    payload = {
        "action": "closed",
        "pull_request": {
            "html_url": PR_URL + "0",
            "merged": True,
            "head": {"ref": sandbox["branch"]},
        },
        "repository": {"clone_url": git_server.url(REPO)},
    }
    assert (
        deliver(api.client, "github", secret, payload, event="pull_request").json()["action"]
        == "ignored"
    )
    opened = {**payload, "action": "opened"}
    assert (
        deliver(api.client, "github", secret, opened, event="pull_request").json()["action"]
        == "ignored"
    )
    with services.database.session() as session:
        row = store.get_merge_request(session, request_id)
        assert row is not None and row.preview["published"]["state"] == "pull_request"
