"""/context/resume, /system/metrics and /system/export over HTTP, up to 10,000 entries."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from draftroom.domain.calls import Services
from tests.support.api import Api
from tests.support.trees import commit_by_hand, file_at

ENTRIES = 10_000


def many_memories(n: int) -> bytes:
    entries = [
        {
            "id": f"m-{i:08x}",
            "at": f"2026-01-{1 + i % 28:02}T10:00:00+00:00",
            "kind": "note",
            "tags": [f"t{i % 7}"],
            "text": f"Memory number {i} about the importer and its schema " + "x" * (i % 50),
        }
        for i in range(n)
    ]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(entries, Dumper=dumper, sort_keys=False).encode()


def many_tasks(n: int) -> bytes:
    statuses = ["todo", "doing", "blocked", "done"]
    tasks = [
        {"id": f"t-{i:08x}", "title": f"Task {i} " + "y" * (i % 80), "status": statuses[i % 4]}
        for i in range(n)
    ]
    return yaml.dump(tasks, sort_keys=False).encode()


def test_resume_names_the_project_goals_open_tasks_memories_changes_and_rollbacks(
    api: Api, project: dict[str, str]
) -> None:
    open_task = api.post("/tasks/create", **project, title="Write the importer")["id"]
    done = api.post("/tasks/create", **project, title="Set up CI")["id"]
    api.post("/tasks/update", **project, id=done, status="done")
    api.post("/memory/add", **project, text="Schemas live in schema/")
    oops = api.post("/files/write", **project, path="a.txt", content="a", message="Add a.txt")
    api.post("/git/rollback_commit", **project, commit_sha=oops["commit_sha"], reason="wrong file")
    api.post("/reasoning/log", **project, entry="Importer first", kind="decision")
    out = api.post("/context/resume", **project)
    text = out["briefing"]
    assert out["chars"] == len(text) <= 4000 and out["truncated"] is False
    assert text.startswith("# Project: Atlas\nGoals:\n- Ship the importer")
    open_tasks = text.split("## Open tasks (1)\n")[1].split("\n\n")[0]
    assert open_tasks == f"- [todo] {open_task} (normal) Write the importer"
    assert "Schemas live in schema/" in text and "Add a.txt" in text
    assert oops["commit_sha"][:12] in text.split("## Last rollbacks")[1]
    assert "wrong file" in text and "Importer first" in text


@pytest.mark.slow
@pytest.mark.parametrize("max_chars", [1000, 4000, 20_000])
def test_resume_fits_the_size_asked_for_at_ten_thousand_entries(
    api: Api, project: dict[str, str], services: Services, max_chars: int
) -> None:
    commit_by_hand(services, project["branch"], "memory.yaml", many_memories(ENTRIES))
    commit_by_hand(services, project["branch"], "task.yaml", many_tasks(ENTRIES))
    out = api.post("/context/resume", **project, max_chars=max_chars)
    text = out["briefing"]
    assert len(text) == out["chars"] <= max_chars
    assert out["truncated"] is True
    assert out["omitted"]["Open tasks"] > 0 and out["omitted"]["Latest memories"] > 0
    assert "Not shown" in text and re.search(r"/tasks/list|tasks\.list", text)
    assert "Task 1 " in text  # doing comes first among open tasks
    assert len(json.dumps(out)) < 60_000


def test_resume_reports_an_invalid_file_instead_of_failing(
    api: Api, project: dict[str, str], services: Services
) -> None:
    commit_by_hand(services, project["branch"], "task.yaml", b"- title: [broken\n")
    out = api.post("/context/resume", **project)
    assert out["invalid_files"] == ["task.yaml"]
    assert "task.yaml line" in out["briefing"] and "# Project: Atlas" in out["briefing"]
    assert api.post("/context/resume", **project, max_chars=999, expect=422)


def test_metrics_count_tasks_memories_and_reasoning(
    api: Api, project: dict[str, str], services: Services
) -> None:
    task = api.post("/tasks/create", **project, title="a")["id"]
    api.post("/tasks/create", **project, title="b")
    api.post("/tasks/update", **project, id=task, status="blocked")
    api.post("/memory/add", **project, text="m")
    api.post("/reasoning/log", **project, entry="r")
    workspace = api.post("/system/metrics", **project)["workspace"]
    assert workspace == {
        "tasks_by_status": {"todo": 1, "doing": 0, "blocked": 1, "done": 0},
        "memory_entries": 3,
        "reasoning_entries": 1,
        "invalid_files": [],
    }
    commit_by_hand(services, project["branch"], "memory.yaml", b"{not: a list}\n")
    workspace = api.post("/system/metrics", **project)["workspace"]
    assert workspace["invalid_files"] == ["memory.yaml"] and workspace["memory_entries"] == 0


def test_export_pages_under_60_kb_cover_every_record_once(
    api: Api, project: dict[str, str], services: Services
) -> None:
    commit_by_hand(services, project["branch"], "task.yaml", many_tasks(500))
    trace = file_at(services, project["branch"], "reasoning_trace.md").decode()
    long_entries = "".join(
        f"\n## 2026-01-0{1 + i % 9}T00:00:00+00:00 · thought · r-{i:08x}\n\n{'z' * 20_000}\n"
        for i in range(6)
    )
    commit_by_hand(
        services, project["branch"], "reasoning_trace.md", (trace + long_entries).encode()
    )
    oops = api.post("/files/write", **project, path="a.txt", content="a", message="a")
    api.post("/git/rollback_commit", **project, commit_sha=oops["commit_sha"])
    records: list[dict[str, object]] = []
    cursor = None
    pages = 0
    while True:
        response = api.client.post(
            "/system/export", json={**project, "cursor": cursor, "limit": 500}, headers=api.headers
        )
        assert response.status_code == 200 and len(response.content) < 60_000
        page = response.json()
        records += page["records"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    kinds = [r["type"] for r in records]
    assert kinds.count("reasoning") == 6 and kinds.count("task") == 500
    # the sandbox's own commits (start, two by hand, write, rollback), never main's
    assert kinds.count("rollback") == 1 and kinds.count("change") == 5
    assert kinds == sorted(kinds, key=["reasoning", "task", "rollback", "change"].index)
    keys = [json.dumps(r, sort_keys=True) for r in records]
    assert len(keys) == len(set(keys)) and pages > 2
    assert records[0]["data"]["truncated"] is True  # type: ignore[index]
    assert api.post("/system/export", **project, cursor="nowhere/1", expect=400)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_export_in_small_pages_skips_nothing_at_section_boundaries(
    api: Api, project: dict[str, str], limit: int
) -> None:
    api.post("/reasoning/log", **project, entry="one")
    api.post("/tasks/create", **project, title="two")
    everything = api.post("/system/export", **project, limit=500)
    assert everything["next_cursor"] is None
    records: list[dict[str, object]] = []
    cursor = None
    while True:
        page = api.post("/system/export", **project, cursor=cursor, limit=limit)
        assert len(page["records"]) <= limit
        records += page["records"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert records == everything["records"]
