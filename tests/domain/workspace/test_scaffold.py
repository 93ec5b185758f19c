"""/sandbox/init mode 'project': the workspace files, in one commit, once."""

from __future__ import annotations

import yaml

from draftroom.domain.calls import Services
from draftroom.git import Change
from tests.support.api import REPO, Api, start_project
from tests.support.trees import file_at, repo_of

WORKSPACE = ["memory.yaml", "reasoning_trace.md", "task.yaml"]


def test_project_init_creates_the_sandbox_and_the_three_files_in_one_commit(
    api: Api, services: Services
) -> None:
    out = api.post(
        "/sandbox/init",
        expect=201,
        repo_name=REPO,
        mode="project",
        project_name="Atlas",
        goals=["Ship the importer", "Keep main green"],
    )
    assert out["created"] is True and out["reuse_token"].startswith("drt_")
    assert sorted(out["scaffolded"]) == WORKSPACE
    repo = repo_of(services)
    head = repo.head(out["branch"])
    assert out["head"] == head
    log = repo.log(head, limit=2).commits
    assert log[0].trailers["Draftroom-Tool"] == "sandbox.init"
    assert sorted(f for f in log[0].files if not f.startswith(".logs/")) == WORKSPACE
    assert log[1].summary == "Initial commit"

    memory = yaml.safe_load(file_at(services, out["branch"], "memory.yaml"))
    assert [(m["kind"], m["text"]) for m in memory] == [
        ("project", "Atlas"),
        ("goal", "Ship the importer"),
        ("goal", "Keep main green"),
    ]
    assert yaml.safe_load(file_at(services, out["branch"], "task.yaml")) is None
    trace = file_at(services, out["branch"], "reasoning_trace.md").decode()
    assert trace.startswith("# Reasoning trace: Atlas\n")


def test_project_init_again_with_the_token_neither_duplicates_nor_clobbers(
    api: Api, services: Services
) -> None:
    sb = start_project(api, goals=["Ship"])
    api.post("/memory/add", **sb, text="Person's decision")
    before = repo_of(services).head(sb["branch"])
    again = api.post(
        "/sandbox/init",
        repo_name=REPO,
        mode="project",
        project_name="Another name",
        goals=["Other"],
        reuse_token=sb["reuse_token"],
    )
    assert again["created"] is False and again["reuse_token"] is None
    assert again["scaffolded"] == [] and again["head"] == before
    memory = api.post("/memory/query", **sb)
    assert [m["text"] for m in memory["items"]] == ["Person's decision", "Ship", "Atlas"]


def test_project_init_adds_only_the_files_that_are_missing(api: Api, services: Services) -> None:
    sb = start_project(api)
    kept = file_at(services, sb["branch"], "memory.yaml")
    repo_of(services).commit_changes(
        sb["branch"], [Change("task.yaml", delete=True)], message="Drop tasks"
    )
    again = api.post(
        "/sandbox/init",
        repo_name=REPO,
        mode="project",
        project_name="Atlas",
        reuse_token=sb["reuse_token"],
    )
    assert again["scaffolded"] == ["task.yaml"]
    assert file_at(services, sb["branch"], "memory.yaml") == kept


def test_project_init_on_an_existing_branch_sandbox_scaffolds_it(api: Api) -> None:
    plain = api.post("/sandbox/init", expect=201, repo_name=REPO, mode="branch")
    out = api.post(
        "/sandbox/init",
        repo_name=REPO,
        mode="project",
        project_name="Later",
        reuse_token=plain["reuse_token"],
    )
    assert sorted(out["scaffolded"]) == WORKSPACE and out["branch"] == plain["branch"]


def test_project_mode_needs_a_project_name_and_creates_nothing_without_it(
    api: Api, services: Services
) -> None:
    branches = repo_of(services).list_branches()
    body = api.post("/sandbox/init", expect=422, repo_name=REPO, mode="project")
    assert body["error"]["code"] == "invalid_request"
    assert "project_name" in body["error"]["message"]
    body = api.post("/sandbox/init", expect=422, repo_name=REPO, mode="project", project_name="  ")
    assert body["error"]["code"] == "invalid_request"
    assert repo_of(services).list_branches() == branches


def test_templates_add_starter_tasks_and_an_unknown_one_is_refused(api: Api) -> None:
    sb = start_project(api, template="software")
    tasks = api.post("/tasks/list", **sb)
    assert tasks["total"] == 3 and {t["status"] for t in tasks["items"]} == {"todo"}
    body = api.post(
        "/sandbox/init",
        expect=400,
        repo_name=REPO,
        mode="project",
        project_name="X",
        template="nope",
    )
    assert body["error"]["code"] == "invalid_input" and "software" in body["error"]["message"]
