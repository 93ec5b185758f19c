"""Memory tools over HTTP: add, query, stats, delete; human edits; rollback; the parse cache."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from draftroom.domain.calls import Services
from draftroom.domain.workspace import memory, parse_cache
from draftroom.domain.workspace.disk_cache import DiskParseCache, directory
from draftroom.domain.workspace.formats import YamlList
from tests.support.api import Api
from tests.support.trees import commit_by_hand, file_at, repo_of


def texts(page: dict[str, object]) -> list[str]:
    return [item["text"] for item in page["items"]]  # type: ignore[index, attr-defined]


def test_add_returns_a_short_id_and_query_finds_it_newest_first(
    api: Api, project: dict[str, str]
) -> None:
    first = api.post("/memory/add", **project, text="The API uses JWT tokens", tags=["API"])
    second = api.post("/memory/add", **project, text="Deploys go through staging", kind="fact")
    assert first["id"].startswith("m-") and len(first["id"]) == 10
    assert first["id"] != second["id"] and first["branch"] == project["branch"]
    page = api.post("/memory/query", **project)
    assert texts(page)[:2] == ["Deploys go through staging", "The API uses JWT tokens"]
    assert page["total"] == 4 and page["next_cursor"] is None
    assert page["items"][1]["tags"] == ["api"] and page["items"][0]["kind"] == "fact"


def test_query_words_are_case_insensitive_and_must_all_match(
    api: Api, project: dict[str, str]
) -> None:
    api.post("/memory/add", **project, text="Staging deploys need the VPN", tags=["ops"])
    api.post("/memory/add", **project, text="Production deploys need approval", tags=["ops"])
    api.post("/memory/add", **project, text="The VPN config lives in infra/", tags=["net"])
    assert texts(api.post("/memory/query", **project, q="vpn DEPLOYS")) == [
        "Staging deploys need the VPN"
    ]
    assert texts(api.post("/memory/query", **project, q="vpn")) == [
        "The VPN config lives in infra/",
        "Staging deploys need the VPN",
    ]
    assert api.post("/memory/query", **project, q="vpn", tags=["ops"])["total"] == 1
    assert api.post("/memory/query", **project, tags=["OPS"])["total"] == 2
    assert api.post("/memory/query", **project, q="kubernetes")["items"] == []


def test_since_keeps_only_entries_at_or_after_it(api: Api, project: dict[str, str]) -> None:
    api.post("/memory/add", **project, text="recent")
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert api.post("/memory/query", **project, since=future)["total"] == 0
    assert "recent" in texts(api.post("/memory/query", **project, since=past))


def test_pages_neither_repeat_nor_skip_while_entries_are_added(
    api: Api, project: dict[str, str]
) -> None:
    for i in range(7):
        api.post("/memory/add", **project, text=f"note {i}", tags=["paged"])
    seen: list[str] = []
    page = api.post("/memory/query", **project, tags=["paged"], limit=3)
    seen += texts(page)
    added = 0
    while page["next_cursor"]:
        api.post("/memory/add", **project, text=f"late {added}", tags=["paged"])
        added += 1
        page = api.post(
            "/memory/query", **project, tags=["paged"], limit=3, cursor=page["next_cursor"]
        )
        seen += texts(page)
    assert seen == [f"note {i}" for i in range(6, -1, -1)]
    assert api.post("/memory/query", **project, tags=["paged"])["total"] == 7 + added


def test_a_cursor_whose_entry_was_deleted_still_goes_on(api: Api, project: dict[str, str]) -> None:
    ids = [api.post("/memory/add", **project, text=f"n{i}", tags=["d"])["id"] for i in range(4)]
    page = api.post("/memory/query", **project, tags=["d"], limit=2)
    assert texts(page) == ["n3", "n2"]
    api.post("/memory/delete", **project, id=ids[2])
    rest = api.post("/memory/query", **project, tags=["d"], cursor=page["next_cursor"])
    assert texts(rest) == ["n1", "n0"]
    bad = api.post("/memory/query", **project, cursor="garbage", expect=400)
    assert bad["error"]["code"] == "invalid_input"


def test_stats_count_by_kind_and_tag_with_first_and_last_times(
    api: Api, project: dict[str, str]
) -> None:
    api.post("/memory/add", **project, text="a", tags=["x", "y"])
    api.post("/memory/add", **project, text="b", tags=["x"], kind="fact")
    stats = api.post("/memory/stats", **project)
    assert stats["total"] == 4
    assert stats["by_kind"] == {"project": 1, "goal": 1, "note": 1, "fact": 1}
    assert stats["by_tag"] == {"x": 2, "y": 1}
    assert stats["first_at"] <= stats["last_at"]


def test_delete_removes_only_that_entry_and_unknown_ids_are_404(
    api: Api, project: dict[str, str], services: Services
) -> None:
    keep = api.post("/memory/add", **project, text="keep me")["id"]
    gone = api.post("/memory/add", **project, text="forget me")["id"]
    deleted = api.post("/memory/delete", **project, id=gone)
    assert deleted["id"] == gone and deleted["commit_sha"]
    assert [m["id"] for m in api.post("/memory/query", **project, q="me")["items"]] == [keep]
    assert b"forget me" not in file_at(services, project["branch"], "memory.yaml")
    missing = api.post("/memory/delete", **project, id=gone, expect=404)
    assert missing["error"]["code"] == "not_found"


def test_rolling_back_a_memory_add_removes_the_entry(api: Api, project: dict[str, str]) -> None:
    added = api.post("/memory/add", **project, text="a mistake")
    api.post("/git/rollback_commit", **project, commit_sha=added["commit_sha"])
    assert api.post("/memory/query", **project, q="mistake")["total"] == 0
    assert api.post("/memory/stats", **project)["total"] == 2


def test_a_broken_file_is_422_naming_file_and_line_and_refuses_writes(
    api: Api, project: dict[str, str], services: Services
) -> None:
    text = file_at(services, project["branch"], "memory.yaml").decode()
    broken = text + "- text: [unclosed\n"
    commit_by_hand(services, project["branch"], "memory.yaml", broken.encode())
    line = broken.count("\n")
    for route, body in [
        ("/memory/query", {}),
        ("/memory/add", {"text": "x"}),
        ("/memory/stats", {}),
    ]:
        error = api.post(route, **project, **body, expect=422)["error"]
        assert error["code"] == "workspace_file_invalid"
        assert error["details"]["path"] == "memory.yaml"
        assert error["details"]["line"] in (line, line + 1)
        assert "memory.yaml line" in error["message"]
    assert file_at(services, project["branch"], "memory.yaml").decode() == broken


def test_an_entry_of_the_wrong_shape_is_422_at_its_line(
    api: Api, project: dict[str, str], services: Services
) -> None:
    text = file_at(services, project["branch"], "memory.yaml").decode()
    commit_by_hand(services, project["branch"], "memory.yaml", (text + "- kind: note\n").encode())
    error = api.post("/memory/query", **project, expect=422)["error"]
    assert error["details"]["line"] == text.count("\n") + 1
    assert "no 'text'" in error["message"]


def test_after_a_fix_entries_a_person_added_are_kept_and_visible(
    api: Api, project: dict[str, str], services: Services
) -> None:
    original = file_at(services, project["branch"], "memory.yaml").decode()
    commit_by_hand(services, project["branch"], "memory.yaml", b"- text: [oops\n")
    fixed = (
        original
        + "# added by hand\n"
        + "- text: Ask Dana before touching billing\n  tags: [billing]\n"
        + "- A plain line is an entry too\n"
    )
    api.post("/files/write", **project, path="memory.yaml", content=fixed, message="Fix memory")
    found = api.post("/memory/query", **project, tags=["billing"])["items"]
    assert [m["text"] for m in found] == ["Ask Dana before touching billing"]
    hand_id = found[0]["id"]
    api.post("/memory/add", **project, text="after the fix")
    after = file_at(services, project["branch"], "memory.yaml").decode()
    assert after.startswith(fixed) and "# added by hand" in after
    again = api.post("/memory/query", **project, tags=["billing"])["items"]
    assert again[0]["id"] == hand_id
    assert texts(api.post("/memory/query", **project, limit=3)) == [
        "after the fix",
        "A plain line is an entry too",
        "Ask Dana before touching billing",
    ]
    api.post("/memory/delete", **project, id=hand_id)
    assert "# added by hand" in file_at(services, project["branch"], "memory.yaml").decode()


def test_a_flow_style_file_is_still_appended_to_without_losing_entries(
    api: Api, project: dict[str, str], services: Services
) -> None:
    commit_by_hand(
        services, project["branch"], "memory.yaml", b"[{text: one}, {text: two, tags: [t]}]\n"
    )
    api.post("/memory/add", **project, text="three")
    assert texts(api.post("/memory/query", **project)) == ["three", "two", "one"]
    data = yaml.safe_load(file_at(services, project["branch"], "memory.yaml"))
    assert [m["text"] for m in data] == ["one", "two", "three"]


def test_concurrent_adds_lose_no_entry(api: Api, project: dict[str, str]) -> None:
    errors: list[BaseException] = []

    def add(worker: int) -> None:
        try:
            for i in range(3):
                api.post("/memory/add", **project, text=f"w{worker}-{i}", tags=["race"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    page = api.post("/memory/query", **project, tags=["race"], limit=100)
    assert sorted(texts(page)) == sorted(f"w{w}-{i}" for w in range(4) for i in range(3))


def test_each_version_is_parsed_once_and_appends_parse_like_a_cold_read(
    api: Api, project: dict[str, str], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        api.post("/memory/add", **project, text=f"line {i}\nsecond line", tags=["t"])
    warm = api.post("/memory/query", **project, limit=100)
    parse_cache(repo_of(services)).clear()
    calls: list[int] = []
    whole = YamlList._parse_whole

    def counting(self: YamlList[memory.MemoryEntry], data: bytes) -> object:
        calls.append(len(data))
        return whole(self, data)

    monkeypatch.setattr(YamlList, "_parse_whole", counting)
    cold = api.post("/memory/query", **project, limit=100)
    api.post("/memory/query", **project, q="line")
    api.post("/memory/stats", **project)
    assert cold == warm and len(calls) == 1
    # Another process sees only the new blob: it parses the appended suffix, not the file.
    commit_by_hand(
        services,
        project["branch"],
        "memory.yaml",
        file_at(services, project["branch"], "memory.yaml") + b"- text: by hand\n",
    )
    assert texts(api.post("/memory/query", **project, limit=1)) == ["by hand"]
    assert len(calls) == 1


def test_bad_input_is_a_typed_4xx(api: Api, project: dict[str, str]) -> None:
    assert api.post("/memory/add", **project, text="", expect=422)["error"]["code"] == (
        "invalid_request"
    )
    assert api.post("/memory/add", **project, text="x", kind="two words", expect=422)
    assert api.post("/memory/query", **project, limit=101, expect=422)
    wrong = {**project, "reuse_token": "drt_nope"}
    assert api.post("/memory/query", **wrong, expect=401)["error"]["code"] == "unauthorized"


def test_a_restarted_server_reads_memory_from_the_disk_cache_without_parsing(
    api: Api, project: dict[str, str], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Store every version (the threshold is 32 KB of unsaved YAML in production).
    cache = parse_cache(repo_of(services))
    monkeypatch.setattr(cache, "disk", DiskParseCache(snapshot_bytes=1))
    for i in range(3):
        api.post("/memory/add", **project, text=f"kept {i}", tags=["disk"])
    warm = api.post("/memory/query", **project, limit=100)
    gitdir = str(repo_of(services).path)
    assert any(name.startswith("memory.yaml.") for name in os.listdir(directory(gitdir)))
    # A new process: an empty parse cache over the same disk cache.
    cache.clear()
    calls: list[int] = []
    monkeypatch.setattr(YamlList, "_parse_whole", lambda self, data: calls.append(1))
    assert api.post("/memory/query", **project, limit=100) == warm
    api.post("/memory/add", **project, text="after the restart", tags=["disk"])
    page = api.post("/memory/query", **project, tags=["disk"])
    assert texts(page) == ["after the restart", "kept 2", "kept 1", "kept 0"] and calls == []
