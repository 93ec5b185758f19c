"""Workspace YAML cannot exhaust the server: no anchors or aliases, and a parse budget."""

from __future__ import annotations

from draftroom.domain.calls.services import Services
from draftroom.domain.workspace.formats import MAX_YAML_NODES
from tests.support.api import Api, error, start_project


def alias_bomb(field: str) -> str:
    """The attack's file: one 100 KB anchor, 5,000 aliases of it (0.2 MB of text)."""
    lines = [f"- {field}: &big '{'x' * 100_000}'"]
    lines += [f"- {field}: *big" for _ in range(5000)]
    return "\n".join(lines) + "\n"


def test_memory_yaml_with_aliases_is_422_naming_the_file(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_project(api)
    api.post("/files/write", **sb, path="memory.yaml", content=alias_bomb("text"), message="m")
    for route in ("/memory/query", "/memory/stats"):
        body = api.post(route, **sb, expect=422)
        assert error(body)["code"] == "workspace_file_invalid"
        assert error(body)["details"]["path"] == "memory.yaml"
        assert "alias" in error(body)["message"] and "memory.yaml" in error(body)["message"]


def test_task_yaml_with_an_anchor_committed_by_git_commit_is_422(
    app: tuple[Api, Services],
) -> None:
    api, _ = app
    sb = start_project(api)
    changes = [{"path": "task.yaml", "content": alias_bomb("title")}]
    api.post("/git/commit", **sb, message="m", changes=changes)
    body = api.post("/tasks/list", **sb, expect=422)
    assert error(body)["code"] == "workspace_file_invalid"
    assert error(body)["details"]["path"] == "task.yaml"
    anchor_only = "- title: &t one\n- title: two\n"
    api.post("/files/write", **sb, path="task.yaml", content=anchor_only, message="m")
    body = api.post("/tasks/list", **sb, expect=422)
    assert error(body)["details"] == {**error(body)["details"], "path": "task.yaml", "line": 1}


def test_memory_yaml_over_the_node_budget_is_422(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_project(api)
    tags = ",".join(["a"] * (MAX_YAML_NODES + 1))
    content = f"- text: many tags\n  tags: [{tags}]\n"
    api.post("/files/write", **sb, path="memory.yaml", content=content, message="m")
    body = api.post("/memory/query", **sb, expect=422)
    assert error(body)["code"] == "workspace_file_invalid"
    assert str(MAX_YAML_NODES) in error(body)["message"]


def test_an_appended_alias_is_refused_too(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_project(api)
    api.post("/memory/add", **sb, text="first note")
    api.post("/memory/query", **sb)  # parsed and cached: the next read extends it
    current = api.post("/files/read", **sb, path="memory.yaml")["content"]
    content = current + "- text: &a second\n- text: *a\n"
    api.post("/files/write", **sb, path="memory.yaml", content=content, message="m")
    body = api.post("/memory/query", **sb, expect=422)
    assert error(body)["details"]["path"] == "memory.yaml"
