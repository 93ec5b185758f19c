"""The disk cache of workspace parses: a fresh process reads large versions without parsing."""

from __future__ import annotations

import gc
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from draftroom.domain.workspace.cache import ParseCache, Parsed, blob_id
from draftroom.domain.workspace.collector import paused_collector
from draftroom.domain.workspace.disk_cache import DiskParseCache, directory
from draftroom.domain.workspace.formats import YamlList, dump_item
from draftroom.domain.workspace.memory import MEMORY, parse_memory_item
from draftroom.domain.workspace.tasks import parse_task_item
from draftroom.errors import WorkspaceFileInvalid

PATH = "memory.yaml"


def memory_data(count: int, start: int = 0) -> bytes:
    items = [
        {"id": f"m-{i:08x}", "at": "2026-01-02T03:04:05+00:00", "tags": ["a"], "text": f"n {i}"}
        for i in range(start, start + count)
    ]
    return b"".join(dump_item(item) for item in items)


def fresh_cache() -> ParseCache:
    """What a new process has: nothing in memory, the same disk cache settings."""
    return ParseCache(disk=DiskParseCache(snapshot_bytes=1))


def stored(gitdir: str, data: bytes) -> Parsed:
    """Parse ``data`` in one process and cache it there (which writes it to disk)."""
    cache = fresh_cache()
    return cache.put(gitdir, PATH, blob_id(data), MEMORY.parse(cache, gitdir, data, blob_id(data)))


@pytest.fixture
def whole_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of the files parsed as a whole (YAML of the full file) while the test runs."""
    calls: list[int] = []
    original = YamlList._parse_whole

    def counting(self: YamlList[Any], data: bytes) -> Parsed:
        calls.append(len(data))
        return original(self, data)

    monkeypatch.setattr(YamlList, "_parse_whole", counting)
    return calls


def test_a_fresh_process_reads_a_stored_version_without_parsing_it(
    tmp_path: Path, whole_parses: list[int]
) -> None:
    data = b"# memory\n" + memory_data(50)
    first = stored(str(tmp_path), data)
    assert whole_parses == [len(data)] and first.unsaved == 0
    assert len(os.listdir(directory(str(tmp_path)))) == 1
    again = MEMORY.parse(fresh_cache(), str(tmp_path), data, blob_id(data))
    assert whole_parses == [len(data)]
    assert again.items == first.items and again.ids == first.ids
    assert [e.haystack for e in again.items] == [e.haystack for e in first.items]
    assert again.append_safe and again.data == data


def test_a_version_extending_a_stored_one_parses_only_its_suffix(
    tmp_path: Path, whole_parses: list[int]
) -> None:
    old = memory_data(40)
    first = stored(str(tmp_path), old)
    new = old + memory_data(2, start=40)
    extended = MEMORY.parse(fresh_cache(), str(tmp_path), new, blob_id(new))
    assert whole_parses == [len(old)]
    assert extended.items[:40] == first.items and [e.text for e in extended.items[40:]] == [
        "n 40",
        "n 41",
    ]
    assert extended.unsaved == len(new) - len(old)


def test_the_stored_parse_of_a_broken_file_reports_the_same_error(
    tmp_path: Path, whole_parses: list[int]
) -> None:
    data = memory_data(20) + b"- text: [oops\n"
    first = stored(str(tmp_path), data)
    again = MEMORY.parse(fresh_cache(), str(tmp_path), data, blob_id(data))
    assert len(whole_parses) == 1
    assert isinstance(again.error, WorkspaceFileInvalid)
    assert isinstance(first.error, WorkspaceFileInvalid)
    assert again.error.message == first.error.message
    assert again.error.details == first.error.details and again.error.details["line"] > 100


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"\x00\xff not json",
        lambda raw: json.dumps({**json.loads(raw), "version": 0}).encode(),
        lambda raw: json.dumps({**json.loads(raw), "blob": "0" * 40}).encode(),
        lambda raw: json.dumps({**json.loads(raw), "items": [{"text": None}]}).encode(),
        lambda raw: json.dumps({**json.loads(raw), "items": [["not", "a", "mapping"]]}).encode(),
        lambda raw: json.dumps(
            {**json.loads(raw), "items": [{"id": "x", "text": "a"}] * 2}
        ).encode(),
        lambda raw: json.dumps({**json.loads(raw), "append_safe": "yes"}).encode(),
        lambda raw: json.dumps({**json.loads(raw), "error": {"message": "x"}}).encode(),
        lambda raw: json.dumps([1, 2]).encode(),
    ],
)
def test_a_corrupt_stored_file_falls_back_to_parsing(
    tmp_path: Path, whole_parses: list[int], damage: Any
) -> None:
    data = memory_data(30)
    first = stored(str(tmp_path), data)
    (file,) = directory(str(tmp_path)).iterdir()
    file.write_bytes(damage(file.read_bytes()))
    again = MEMORY.parse(fresh_cache(), str(tmp_path), data, blob_id(data))
    assert len(whole_parses) == 2
    assert again.error is None and again.items == first.items


def test_an_unwritable_git_dir_only_skips_the_disk_cache(tmp_path: Path) -> None:
    (tmp_path / "draftroom").write_text("a file where the cache directory would go")
    data = memory_data(10)
    cache = fresh_cache()
    parsed = cache.put(str(tmp_path), PATH, blob_id(data), MEMORY.parse(cache, str(tmp_path), data))
    assert cache.get(PATH, blob_id(data)) is parsed and parsed.unsaved == 0


def test_the_disk_cache_keeps_the_most_recently_used_files_within_its_bounds(
    tmp_path: Path,
) -> None:
    gitdir = str(tmp_path)
    disk = DiskParseCache(max_files=3, snapshot_bytes=1)
    versions = [memory_data(5, start=10 * n) for n in range(5)]
    for age, data in enumerate(versions[:3]):
        assert disk.save(gitdir, PATH, blob_id(data), len(data), {"items": []})
        file = next(directory(gitdir).glob(f"*{blob_id(data)}.json"))
        os.utime(file, (1_000_000 + age, 1_000_000 + age))
    # Reading the oldest makes it the most recently used.
    assert disk.load(gitdir, PATH, blob_id(versions[0]), len(versions[0])) is not None
    for data in versions[3:]:
        disk.save(gitdir, PATH, blob_id(data), len(data), {"items": []})
    kept = {p.name.split(".")[-2] for p in directory(gitdir).iterdir()}
    assert kept == {blob_id(versions[n]) for n in (0, 3, 4)}
    small = DiskParseCache(max_bytes=1, snapshot_bytes=1)
    small.save(gitdir, PATH, blob_id(b"x"), 1, {"items": []})
    assert list(directory(gitdir).iterdir()) == []


def test_a_file_below_the_snapshot_size_stays_in_memory_only(tmp_path: Path) -> None:
    cache = ParseCache(disk=DiskParseCache())
    data = memory_data(3)
    cache.put(str(tmp_path), PATH, blob_id(data), MEMORY.parse(cache, str(tmp_path), data))
    assert not directory(str(tmp_path)).exists()


def test_the_collector_pause_is_shared_and_restores_what_it_found() -> None:
    assert gc.isenabled()
    with paused_collector():
        with paused_collector():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_collector():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


scalars = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20),
    st.integers(-(10**6), 10**6),
    st.booleans(),
)
times = st.one_of(
    st.none(),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
)


@settings(max_examples=80, deadline=None)
@given(
    text=scalars,
    kind=st.one_of(st.none(), st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True)),
    tags=st.one_of(st.none(), scalars, st.lists(scalars, max_size=4)),
    at=times,
    entry_id=st.one_of(st.none(), st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)),
)
def test_a_memory_entry_reads_back_from_what_the_disk_cache_stores(
    text: object, kind: object, tags: object, at: object, entry_id: object
) -> None:
    raw = {"id": entry_id, "text": text, "kind": kind, "tags": tags, "at": at}
    # As a person might write it: through YAML, so values are what the loader makes of them.
    entry = parse_memory_item(yaml.safe_load(yaml.safe_dump(raw)))
    back = parse_memory_item(json.loads(json.dumps(entry.as_yaml())))
    assert back == entry and back.haystack == entry.haystack


@settings(max_examples=60, deadline=None)
@given(
    title=scalars,
    status=st.sampled_from([None, "todo", "Doing", "blocked", "done"]),
    description=st.one_of(st.none(), st.just(""), scalars),
    created=times,
    notes=st.lists(
        st.one_of(scalars.map(str), st.fixed_dictionaries({"text": scalars})), max_size=3
    ),
)
def test_a_task_reads_back_from_what_the_disk_cache_stores(
    title: object, status: object, description: object, created: object, notes: list[object]
) -> None:
    raw = {"title": title, "status": status, "description": description}
    raw |= {"created_at": created, "notes": notes}
    task = parse_task_item(yaml.safe_load(yaml.safe_dump(raw)))
    assert parse_task_item(json.loads(json.dumps(task.as_yaml()))) == task
