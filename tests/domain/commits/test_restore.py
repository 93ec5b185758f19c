"""/git/restore over HTTP: the branch gets a commit's files back, .logs/ stays current."""

from __future__ import annotations

import yaml

from draftroom.domain.calls import Services
from tests.support.api import Api, start_sandbox, write
from tests.support.trees import files, logs, repo_of


def test_restore_to_an_own_commit_gives_back_its_files_and_keeps_current_logs(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    first = write(api, sb, "a.md", "one\n")
    write(api, sb, "a.md", "two\n")
    write(api, sb, "b.md", "bee\n")
    before = repo_of(services).head(sb["branch"])

    out = api.post("/git/restore", **sb, to=first[:12])

    head = repo_of(services).head(sb["branch"])
    assert out["commit_sha"] == head and out["restored_to"] == first
    assert files(services, head) == files(services, first)
    assert sorted(out["files"]) == ["a.md", "b.md"]
    kept, now = logs(services, before), logs(services, head)
    assert kept.items() <= now.items()
    (entry,) = now.keys() - kept.keys()
    assert entry == out["changelog_entry"]["path"]
    assert yaml.safe_load(repo_of(services).read_file(head, entry).data)["tool"] == "git.restore"
    assert repo_of(services).log(head, limit=1).commits[0].trailers["Draftroom-Restores"] == first


def test_restore_to_main_gives_back_mains_files(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    write(api, sb, "a.md", "one\n")
    write(api, sb, "README.md", "changed\n")

    api.post("/git/restore", **sb, to="main")

    head = repo_of(services).head(sb["branch"])
    assert files(services, head) == files(services, "main")
    assert ".logs/reverted_commits.yaml" not in logs(services, "main")
    assert api.post("/files/read", **sb, path="README.md")["content"] == (
        repo_of(services).read_file("main", "README.md").data.decode()
    )


def test_a_chain_of_restores_gives_back_exact_trees(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    states = [write(api, sb, "a.md", "one\n")]
    states.append(write(api, sb, "b/c.md", "sea\n"))
    states.append(write(api, sb, "a.md", "three\n"))
    api.post("/git/commit", **sb, message="Drop b", changes=[{"path": "b/c.md", "delete": True}])
    states.append(repo_of(services).head(sb["branch"]))

    for target in [states[0], states[2], states[1], states[3], "main", states[0]]:
        api.post("/git/restore", **sb, to=target)
        assert files(services, sb["branch"]) == files(services, target), target


def test_restoring_the_files_the_branch_already_has_writes_nothing(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    sha = write(api, sb, "a.md", "one\n")

    error = api.post("/git/restore", **sb, to=sha, expect=400)["error"]

    assert error["code"] == "empty_change_set"
    assert repo_of(services).head(sb["branch"]) == sha


def test_restore_to_another_sandboxs_commit_is_refused(api: Api, services: Services) -> None:
    mine, theirs = start_sandbox(api), start_sandbox(api)
    write(api, mine, "a.md", "one\n")
    other = write(api, theirs, "secret.md", "theirs\n")
    head = repo_of(services).head(mine["branch"])

    error = api.post("/git/restore", **mine, to=other, expect=403)["error"]

    assert error["code"] == "branch_not_allowed"
    assert repo_of(services).head(mine["branch"]) == head
