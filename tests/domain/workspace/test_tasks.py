"""Task tools over HTTP: create, update with validated transitions, list; human edits."""

from __future__ import annotations

import pytest
import yaml

from draftroom.domain.calls import Services
from tests.support.api import Api
from tests.support.trees import commit_by_hand, file_at


def test_create_then_list_in_creation_order(api: Api, project: dict[str, str]) -> None:
    first = api.post("/tasks/create", **project, title="Write the parser", priority="high")
    second = api.post("/tasks/create", **project, title="Document it", description="in docs/")
    assert first["id"].startswith("t-") and len(first["id"]) == 10
    assert first["task"]["status"] == "todo" and first["task"]["priority"] == "high"
    listed = api.post("/tasks/list", **project)
    assert [t["id"] for t in listed["items"]] == [first["id"], second["id"]]
    assert listed["items"][1]["description"] == "in docs/" and listed["total"] == 2


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["doing", "blocked", "doing", "done"], True),
        (["blocked", "todo", "done"], True),
        (["done", "doing"], False),
        (["done", "blocked"], False),
    ],
)
def test_status_moves_follow_the_transition_graph(
    api: Api, project: dict[str, str], path: list[str], allowed: bool
) -> None:
    task = api.post("/tasks/create", **project, title="t")["id"]
    *ok, last = path
    for status in ok:
        api.post("/tasks/update", **project, id=task, status=status)
    if allowed:
        assert api.post("/tasks/update", **project, id=task, status=last)["task"]["status"] == last
    else:
        error = api.post("/tasks/update", **project, id=task, status=last, expect=409)["error"]
        assert error["code"] == "invalid_transition"
        assert error["details"]["allowed"] == ["todo"]


def test_done_goes_back_to_todo_only_as_an_explicit_reopen(
    api: Api, project: dict[str, str]
) -> None:
    task = api.post("/tasks/create", **project, title="t")["id"]
    api.post("/tasks/update", **project, id=task, status="done")
    refused = api.post("/tasks/update", **project, id=task, status="todo", expect=409)["error"]
    assert refused["code"] == "invalid_transition" and "reopen" in refused["message"]
    reopened = api.post("/tasks/update", **project, id=task, status="todo", reopen=True)
    assert reopened["task"]["status"] == "todo"


def test_update_changes_title_and_appends_notes(api: Api, project: dict[str, str]) -> None:
    task = api.post("/tasks/create", **project, title="Old")["id"]
    api.post("/tasks/update", **project, id=task, note="looked at it")
    out = api.post("/tasks/update", **project, id=task, title="New", status="doing", note="on it")
    assert out["task"]["title"] == "New" and out["task"]["status"] == "doing"
    assert [n["text"] for n in out["task"]["notes"]] == ["looked at it", "on it"]
    assert api.post("/tasks/list", **project)["items"][0] == out["task"]


def test_update_errors_are_typed(api: Api, project: dict[str, str]) -> None:
    task = api.post("/tasks/create", **project, title="t")["id"]
    assert api.post("/tasks/update", **project, id=task, expect=400)["error"]["code"] == (
        "invalid_input"
    )
    assert api.post("/tasks/update", **project, id="t-00000000", note="x", expect=404)
    assert api.post("/tasks/update", **project, id=task, status="finished", expect=422)
    assert api.post("/tasks/create", **project, title="x", priority="urgent", expect=422)


def test_list_filters_by_status_and_pages_without_repeats_while_tasks_are_added(
    api: Api, project: dict[str, str]
) -> None:
    ids = [api.post("/tasks/create", **project, title=f"t{i}")["id"] for i in range(5)]
    api.post("/tasks/update", **project, id=ids[1], status="done")
    assert [t["id"] for t in api.post("/tasks/list", **project, status="done")["items"]] == [ids[1]]
    seen: list[str] = []
    page = api.post("/tasks/list", **project, status="todo", limit=2)
    seen += [t["title"] for t in page["items"]]
    while page["next_cursor"]:
        api.post("/tasks/create", **project, title=f"late{len(seen)}")
        page = api.post(
            "/tasks/list", **project, status="todo", limit=2, cursor=page["next_cursor"]
        )
        seen += [t["title"] for t in page["items"]]
    assert seen[:4] == ["t0", "t2", "t3", "t4"]
    assert len(seen) == len(set(seen))
    assert seen[4:] == [t for t in seen[4:] if t.startswith("late")]


def test_an_update_keeps_what_a_person_wrote_around_the_task(
    api: Api, project: dict[str, str], services: Services
) -> None:
    task = api.post("/tasks/create", **project, title="Ours")["id"]
    text = file_at(services, project["branch"], "task.yaml").decode()
    by_hand = text + "# Dana's list\n- title: Call the vendor\n  status: blocked\n- Plain todo\n"
    commit_by_hand(services, project["branch"], "task.yaml", by_hand.encode())
    listed = api.post("/tasks/list", **project)["items"]
    assert [(t["title"], t["status"]) for t in listed] == [
        ("Ours", "todo"),
        ("Call the vendor", "blocked"),
        ("Plain todo", "todo"),
    ]
    api.post("/tasks/update", **project, id=task, status="doing")
    api.post("/tasks/update", **project, id=listed[1]["id"], status="doing", note="called")
    after = file_at(services, project["branch"], "task.yaml").decode()
    assert "# Dana's list" in after and "- Plain todo\n" in after
    data = yaml.safe_load(after)
    assert [(t["title"] if isinstance(t, dict) else t) for t in data] == [
        "Ours",
        "Call the vendor",
        "Plain todo",
    ]
    assert data[1]["id"] == listed[1]["id"] and data[1]["notes"][0]["text"] == "called"


def test_a_broken_task_file_is_422_and_nothing_is_written(
    api: Api, project: dict[str, str], services: Services
) -> None:
    broken = b"- title: fine\n- title: bad\n  status: finished\n"
    commit_by_hand(services, project["branch"], "task.yaml", broken)
    for route, body in [("/tasks/list", {}), ("/tasks/create", {"title": "x"})]:
        error = api.post(route, **project, **body, expect=422)["error"]
        assert error["code"] == "workspace_file_invalid"
        assert error["details"] == {
            "path": "task.yaml",
            "line": 2,
            "problem": "status 'finished' is not one of todo, doing, blocked, done",
        }
    assert file_at(services, project["branch"], "task.yaml") == broken


def test_duplicate_ids_written_by_hand_are_422(
    api: Api, project: dict[str, str], services: Services
) -> None:
    commit_by_hand(
        services, project["branch"], "task.yaml", b"- {id: t-1, title: a}\n- {id: t-1, title: b}\n"
    )
    error = api.post("/tasks/list", **project, expect=422)["error"]
    assert error["details"]["line"] == 2 and "used twice" in error["message"]
