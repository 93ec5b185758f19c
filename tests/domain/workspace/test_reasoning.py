"""Reasoning tools over HTTP: log and read the trace; entries a person writes by hand."""

from __future__ import annotations

from draftroom.domain.calls import Services
from draftroom.domain.workspace import parse_cache
from tests.support.api import Api
from tests.support.trees import commit_by_hand, file_at, repo_of


def test_log_then_read_newest_first(api: Api, project: dict[str, str]) -> None:
    thought = api.post("/reasoning/log", **project, entry="Maybe YAML is enough")
    decision = api.post("/reasoning/log", **project, entry="We use YAML", kind="decision")
    assert thought["id"].startswith("r-") and thought["commit_sha"]
    read = api.post("/reasoning/read", **project)
    assert [(e["id"], e["kind"], e["text"]) for e in read["items"]] == [
        (decision["id"], "decision", "We use YAML"),
        (thought["id"], "thought", "Maybe YAML is enough"),
    ]
    assert read["total"] == 2 and read["next_cursor"] is None


def test_text_that_looks_like_a_heading_reads_back_as_written(
    api: Api, project: dict[str, str], services: Services
) -> None:
    text = "Options:\n## not a heading\n\\ leading backslash\n\nend"
    api.post("/reasoning/log", **project, entry=text, kind="question")
    assert api.post("/reasoning/read", **project)["items"][0]["text"] == text
    parse_cache(repo_of(services)).clear()
    assert api.post("/reasoning/read", **project)["items"][0]["text"] == text
    trace = file_at(services, project["branch"], "reasoning_trace.md").decode()
    assert "\n\\## not a heading\n" in trace


def test_pages_neither_repeat_nor_skip_while_entries_are_logged(
    api: Api, project: dict[str, str]
) -> None:
    for i in range(5):
        api.post("/reasoning/log", **project, entry=f"e{i}")
    seen: list[str] = []
    page = api.post("/reasoning/read", **project, limit=2)
    seen += [e["text"] for e in page["items"]]
    while page["next_cursor"]:
        api.post("/reasoning/log", **project, entry="late")
        page = api.post("/reasoning/read", **project, limit=2, cursor=page["next_cursor"])
        seen += [e["text"] for e in page["items"]]
    assert seen == ["e4", "e3", "e2", "e1", "e0"]


def test_entries_a_person_adds_by_hand_are_read_with_a_stable_id(
    api: Api, project: dict[str, str], services: Services
) -> None:
    trace = file_at(services, project["branch"], "reasoning_trace.md").decode()
    by_hand = trace + "\n## 2026-01-05 | decision\n\nDana: ship on Fridays only.\n"
    commit_by_hand(services, project["branch"], "reasoning_trace.md", by_hand.encode())
    first = api.post("/reasoning/read", **project)["items"]
    assert [(e["kind"], e["text"]) for e in first] == [("decision", "Dana: ship on Fridays only.")]
    assert first[0]["at"].startswith("2026-01-05T00:00:00")
    api.post("/reasoning/log", **project, entry="noted")
    after = api.post("/reasoning/read", **project)["items"]
    assert [e["text"] for e in after] == ["noted", "Dana: ship on Fridays only."]
    assert after[1]["id"] == first[0]["id"]
    assert file_at(services, project["branch"], "reasoning_trace.md").decode().startswith(by_hand)


def test_a_malformed_heading_is_422_at_its_line(
    api: Api, project: dict[str, str], services: Services
) -> None:
    trace = file_at(services, project["branch"], "reasoning_trace.md").decode()
    broken = trace + "\n## yesterday we decided\n"
    commit_by_hand(services, project["branch"], "reasoning_trace.md", broken.encode())
    for route, body in [("/reasoning/read", {}), ("/reasoning/log", {"entry": "x"})]:
        error = api.post(route, **project, **body, expect=422)["error"]
        assert error["code"] == "workspace_file_invalid"
        assert error["details"]["path"] == "reasoning_trace.md"
        assert error["details"]["line"] == broken.count("\n")


def test_bad_input_is_a_typed_4xx(api: Api, project: dict[str, str]) -> None:
    assert api.post("/reasoning/log", **project, entry="x", kind="rant", expect=422)
    assert api.post("/reasoning/log", **project, entry="   ", expect=400)
    assert api.post("/reasoning/read", **project, cursor="5", expect=400)
