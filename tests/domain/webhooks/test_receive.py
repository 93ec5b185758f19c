"""Signed deliveries against a real git remote (``git http-backend`` on loopback): a person's
push to main plus its webhook tells every active sandbox; anything unsigned, mis-signed,
replayed, oversized or malformed changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.domain.calls import Services
from tests.support.api import Api, new_key, start_sandbox
from tests.support.gitserver import GitServer, log
from tests.support.upstream import REPO, mirrored, repository_id, wait_for
from tests.support.webhooks import (
    deliver,
    person_pushes_main,
    push_payload,
    webhook_secret,
)


@pytest.fixture
def served(
    tmp_path: Path, git_server: GitServer, database_url: str
) -> Iterator[tuple[TestClient, Services]]:
    """The app over a mirror of the loopback remote, its worker off: only webhooks fetch."""
    services = mirrored(
        tmp_path / "data", git_server, database_url=database_url, upstream_worker=False
    )
    with TestClient(create_app(services.settings, services)) as client:
        yield client, services


def human_notes(api: Api, sandbox: dict[str, str]) -> list[dict[str, Any]]:
    found = api.post("/memory/query", **sandbox, tags=["human"], limit=100)
    return [item for item in found["items"] if item["kind"] == "human_change"]


def local_main(services: Services) -> str:
    return log(services.settings.repos_dir / f"{REPO}.git", "main")[0]


def test_a_persons_push_and_its_webhook_reach_every_active_sandbox(
    served: tuple[TestClient, Services], git_server: GitServer, tmp_path: Path
) -> None:
    client, services = served
    api = Api(client, new_key(services))
    sandboxes = [start_sandbox(api, REPO) for _ in range(3)]
    secret = webhook_secret(services)
    before, after = person_pushes_main(
        git_server, tmp_path / "work", "docs/guide.md", "hi\n", "Explain the release steps"
    )

    payload = push_payload("github", git_server.url(REPO), "main", before, after)
    answer = deliver(client, "github", secret, payload)

    assert answer.status_code == 200, answer.text
    assert answer.json()["action"] == "fetched" and answer.json()["main"] == after
    for sandbox in sandboxes:
        wait_for(lambda sandbox=sandbox: len(human_notes(api, sandbox)) == 1, timeout=5)
        (note,) = human_notes(api, sandbox)
        assert "Explain the release steps" in note["text"]
        assert "Someone <someone@example.com>" in note["text"] and "docs/guide.md" in note["text"]
        assert set(note["tags"]) == {"main", "human"}
    with services.database.session() as session:
        rows = store.list_audit_events(session, repo=REPO)
        told = [r for r in rows if r.tool == "system.human_change" and r.outcome == "ok"]
        assert sorted(r.branch for r in told) == sorted(s["branch"] for s in sandboxes)
        assert all(r.commit_sha for r in told)


def test_a_replayed_delivery_changes_nothing(
    served: tuple[TestClient, Services], git_server: GitServer, tmp_path: Path
) -> None:
    client, services = served
    api = Api(client, new_key(services))
    sandbox = start_sandbox(api, REPO)
    secret = webhook_secret(services)
    before, after = person_pushes_main(git_server, tmp_path / "work", "a.md", "1\n", "First")
    payload = push_payload("github", git_server.url(REPO), "main", before, after)
    assert deliver(client, "github", secret, payload, delivery="d-1").status_code == 200
    head = api.post("/sandbox/status", **sandbox)["head"]
    person_pushes_main(git_server, tmp_path / "work", "b.md", "2\n", "Second")

    again = deliver(client, "github", secret, payload, delivery="d-1")

    assert again.status_code == 200 and again.json()["replayed"] is True
    assert local_main(services) == after  # the replay fetched nothing
    assert api.post("/sandbox/status", **sandbox)["head"] == head
    with services.database.session() as session:
        assert len(store.list_deliveries(session, repository_id(services))) == 1


@pytest.mark.parametrize(
    "forge,headers",
    [
        ("github", {"X-Hub-Signature-256": "sha256=" + "0" * 64}),
        ("github", {"X-Hub-Signature-256": "0" * 64}),
        ("github", {}),
        ("gitea", {"X-Gitea-Signature": "0" * 64}),
        ("gitlab", {"X-Gitlab-Token": "not-the-secret"}),
    ],
)
def test_a_bad_signature_is_refused_and_records_nothing(
    served: tuple[TestClient, Services],
    git_server: GitServer,
    tmp_path: Path,
    forge: str,
    headers: dict[str, str],
) -> None:
    client, services = served
    api = Api(client, new_key(services))
    sandbox = start_sandbox(api, REPO)
    webhook_secret(services)
    main = local_main(services)
    before, after = person_pushes_main(git_server, tmp_path / "work", "a.md", "1\n", "First")
    payload = push_payload(forge, git_server.url(REPO), "main", before, after)

    answer = client.post(f"/webhooks/{forge}", json=payload, headers=headers)

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_signature"
    assert local_main(services) == main
    assert human_notes(api, sandbox) == []
    with services.database.session() as session:
        assert store.list_deliveries(session, repository_id(services)) == []


@pytest.mark.parametrize("forge", ["gitea", "gitlab"])
def test_gitea_and_gitlab_deliveries_are_taken_with_their_own_signatures(
    served: tuple[TestClient, Services], git_server: GitServer, tmp_path: Path, forge: str
) -> None:
    client, services = served
    api = Api(client, new_key(services))
    sandbox = start_sandbox(api, REPO)
    secret = webhook_secret(services)
    before, after = person_pushes_main(git_server, tmp_path / "work", "a.md", "1\n", "Via forge")

    answer = deliver(
        client, forge, secret, push_payload(forge, git_server.url(REPO), "main", before, after)
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["action"] == "fetched"
    assert local_main(services) == after
    assert "Via forge" in human_notes(api, sandbox)[0]["text"]
    wrong = deliver(
        client,
        forge,
        "another secret",
        push_payload(forge, git_server.url(REPO), "main", before, after),
    )
    assert wrong.status_code == 401


def test_a_delivery_for_an_unknown_repository_is_not_found(
    served: tuple[TestClient, Services], git_server: GitServer
) -> None:
    client, services = served
    secret = webhook_secret(services)
    payload = push_payload(
        "github", "https://github.com/someone/else.git", "main", "0" * 40, "1" * 40
    )
    payload["repository"]["full_name"] = "someone/else"

    answer = deliver(client, "github", secret, payload)

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert REPO not in answer.json()["error"]["message"]


def test_a_repository_without_a_webhook_secret_takes_no_delivery(
    served: tuple[TestClient, Services], git_server: GitServer
) -> None:
    client, _ = served
    payload = push_payload("github", git_server.url(REPO), "main", "0" * 40, "1" * 40)
    assert deliver(client, "github", "guessed", payload).status_code == 404


@pytest.mark.parametrize(
    "body,code",
    [
        (b"{not json", "invalid_json"),
        (b"[1, 2]", "invalid_json"),
        (b'{"zen": "hi"}', "invalid_input"),
    ],
)
def test_a_malformed_delivery_is_a_typed_400(
    served: tuple[TestClient, Services], body: bytes, code: str
) -> None:
    client, _ = served
    answer = client.post("/webhooks/github", content=body, headers={"X-GitHub-Event": "push"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == code


def test_an_oversized_delivery_is_refused_before_anything_else(
    tmp_path: Path, git_server: GitServer
) -> None:
    services = mirrored(
        tmp_path / "data", git_server, upstream_worker=False, webhook_max_bytes=2048
    )
    with TestClient(create_app(services.settings, services)) as client:
        secret = webhook_secret(services)
        payload = push_payload("github", git_server.url(REPO), "main", "0" * 40, "1" * 40)
        payload["padding"] = "x" * 4096
        answer = deliver(client, "github", secret, payload)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"


def test_ping_answers_and_unknown_events_are_taken_and_ignored(
    served: tuple[TestClient, Services], git_server: GitServer
) -> None:
    client, services = served
    secret = webhook_secret(services)
    payload = {"zen": "Keep it simple.", "repository": {"clone_url": git_server.url(REPO)}}
    assert deliver(client, "github", secret, payload, event="ping").json()["action"] == "pong"
    assert deliver(client, "github", secret, payload, event="star").json()["action"] == "ignored"
