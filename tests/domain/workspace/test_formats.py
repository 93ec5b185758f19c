"""The workspace formats: what draftroom appends or replaces as text parses back the same."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from draftroom.domain.workspace.cache import ParseCache, Parsed
from draftroom.domain.workspace.formats import dump_item
from draftroom.domain.workspace.memory import MEMORY, memory_entry
from draftroom.domain.workspace.tasks import TASKS, Task
from draftroom.domain.workspace.times import now
from draftroom.domain.workspace.trace_format import parse_trace, trace_block

texts = st.text(
    st.characters(blacklist_categories=("Cs",)),
    min_size=1,
    max_size=60,
).filter(lambda t: t.strip() != "")


def cold(data: bytes) -> Parsed:
    return MEMORY.parse(ParseCache(), "repo", data)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(texts, st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True))), max_size=6)
)
def test_appended_entries_parse_back_as_they_were_cached(
    entries: list[tuple[str, list[str]]],
) -> None:
    parsed = Parsed(b"# header\n", (), append_safe=True)
    for number, (text, tags) in enumerate(entries):
        entry = memory_entry(f"m-{number:08x}", text, "note", tuple(dict.fromkeys(tags)), now())
        parsed = MEMORY.append(parsed, entry)
    fresh = cold(parsed.data)
    assert fresh.error is None
    assert [e.as_yaml() for e in fresh.items] == [e.as_yaml() for e in parsed.items]


@settings(max_examples=40, deadline=None)
@given(st.lists(texts, min_size=2, max_size=5), st.data())
def test_replacing_one_task_keeps_every_other_line(titles: list[str], data: st.DataObject) -> None:
    parsed = Parsed(b"# tasks\n", (), append_safe=True)
    for number, title in enumerate(titles):
        parsed = TASKS.append(parsed, Task(f"t-{number:08x}", title))
        parsed = Parsed(parsed.data + b"# after %d\n" % number, parsed.items, True, ids=parsed.ids)
    index = data.draw(st.integers(0, len(titles) - 1))
    updated = TASKS.replace(parsed, index, Task(f"t-{index:08x}", "changed", status="doing"))
    fresh = TASKS.parse(ParseCache(), "repo", updated.data)
    assert fresh.error is None and fresh.items == updated.items
    for number in range(len(titles)):
        assert b"# after %d\n" % number in updated.data
    removed = TASKS.replace(parsed, index, None)
    assert TASKS.parse(ParseCache(), "repo", removed.data).items == removed.items


@settings(max_examples=60, deadline=None)
@given(texts)
def test_trace_entries_read_back_as_written(body: str) -> None:
    data = b"# Trace\n" + trace_block("2026-01-01T00:00:00+00:00", "thought", "r-1", body.strip())
    _, blocks = parse_trace("reasoning_trace.md", data)
    assert [b.body for b in blocks] == [body.strip()]


def test_a_suffix_that_extends_a_cached_version_is_parsed_alone() -> None:
    cache = ParseCache()
    first = cold(b"- text: one\n")
    cache.put("repo", "memory.yaml", "blob-1", first)
    extended = MEMORY.parse(cache, "repo", b"- text: one\n- text: two\n")
    assert [e.text for e in extended.items] == ["one", "two"]
    assert extended.items[0] is first.items[0]


def test_text_with_yaml_line_break_characters_round_trips() -> None:
    for text in ["0\x85", "a\u2028b", "c\u2029", "x\r\ny", "two\nlines\n"]:
        assert yaml.safe_load(dump_item({"id": "m-1", "text": text}))[0]["text"] == text
