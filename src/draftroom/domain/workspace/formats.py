"""The two workspace file formats: a YAML list (memory, tasks) and a markdown trace (reasoning).

Both are meant to be read and edited by a person, so draftroom edits them as text: a new
entry is appended, an updated entry has only its own lines replaced, and everything else a
person wrote (comments, spacing, entries in a valid shape) is kept byte for byte. A file that
does not parse raises ``WorkspaceFileInvalid`` naming the line and the problem; it must never
be rewritten, and no entry of it silently dropped. See docs/workspace.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import yaml

from draftroom.domain.workspace.cache import ParseCache, Parsed, blob_id
from draftroom.domain.workspace.collector import paused_collector
from draftroom.errors import WorkspaceFileInvalid

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_YAML_BYTES = 8 * 2**20
"""Largest workspace YAML file parsed: the default per-file limit of a commit."""
MAX_YAML_NODES = 1_000_000
"""Scalars, lists and mappings one workspace YAML file may hold: far above any real memory
or task list (8 bytes a node at the byte limit), far below what exhausts the server."""
FIX_HINT = "fix it with files.write, or roll back the commit that broke it, then retry"


class HasId(Protocol):
    @property
    def id(self) -> str: ...

    def as_yaml(self) -> dict[str, Any]: ...


T = TypeVar("T", bound=HasId)


class ItemProblem(ValueError):
    """Raised by an item parser: what is wrong with one entry (its line is found later)."""


def invalid(path: str, line: int | None, problem: str) -> WorkspaceFileInvalid:
    where = f"{path} line {line}" if line else path
    return WorkspaceFileInvalid(
        f"{where}: {problem}; {FIX_HINT}", path=path, line=line, problem=problem
    )


def derived_id(prefix: str, *parts: object) -> str:
    """A stable id for an entry a person wrote without one: a hash of its content."""
    digest = hashlib.sha256("\x00".join(str(p) for p in parts).encode()).hexdigest()
    return f"{prefix}-{digest[:8]}"


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]
    """Multi-line text as literal blocks, so a person reads it as written."""


_YAML_BREAKS = frozenset("\r\x85\u2028\u2029")
"""Characters YAML reads as line breaks: only double quotes (which escape them) keep them."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if _YAML_BREAKS.intersection(value):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value.rstrip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_item(item: dict[str, Any]) -> bytes:
    """One block-sequence item (``- key: value`` lines) for appending to a YAML list file."""
    text: str = yaml.dump(
        [item], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )
    return text.encode("utf-8")


def dash_lines(text: str) -> list[int] | None:
    """Line numbers (0-based) of column-0 ``-`` lines, or None when the file is not a plain
    top-level block list: any other column-0 content but comments, blanks and a leading
    ``---`` means an appended item might not extend the list."""
    starts: list[int] = []
    for number, line in enumerate(text.split("\n")):
        if not line or line[0] in " #":
            continue
        if line == "-" or line.startswith(("- ", "-\t")):
            starts.append(number)
        elif line.rstrip() == "---" and not starts:
            continue
        else:
            return None
    return starts


@dataclass(frozen=True)
class YamlList(Generic[T]):
    """A YAML list file of entries; ``parse_item(raw)`` turns one raw item into ``T``.

    ``parse_item(item.as_yaml())`` must give ``item`` back: the disk cache stores entries as
    ``as_yaml()`` and reads them back through ``parse_item``.
    """

    path: str
    parse_item: Callable[[Any], T]

    def parse(
        self, cache: ParseCache, repo_key: str, data: bytes, blob: str | None = None
    ) -> Parsed:
        """Parse ``data`` (blob ``blob`` of the git dir ``repo_key``): from the disk cache when
        it holds this version, by the suffix alone when it extends a version parsed before
        (in this process or on disk), else as a whole."""
        with paused_collector():
            return self._parse(cache, repo_key, data, blob)

    def _parse(self, cache: ParseCache, repo_key: str, data: bytes, blob: str | None) -> Parsed:
        disk = cache.disk
        if disk is not None and blob is not None:
            record = disk.load(repo_key, self.path, blob, len(data))
            stored = self._restore(data, record)
            if stored is not None:
                return stored
        for previous in cache.predecessors(repo_key, self.path):
            extended = self._extend(previous, data)
            if extended is not None:
                return extended
        if disk is not None:
            for old_blob, size in disk.prefixes(repo_key, self.path, len(data)):
                if not _may_extend(data[:size], data) or blob_id(data[:size]) != old_blob:
                    continue
                record = disk.load(repo_key, self.path, old_blob, size)
                base = self._restore(data[:size], record)
                if base is not None and base.error is None and base.append_safe:
                    extended = self._extend(base, data)
                    if extended is not None:
                        return extended
        return self._parse_whole(data)

    def _restore(self, data: bytes, record: dict[str, Any] | None) -> Parsed | None:
        """The parse of ``data`` from its disk-cache record; None when the record is unusable."""
        if record is None:
            return None
        try:
            error = record.get("error")
            if error is not None:
                exc = WorkspaceFileInvalid(str(error["message"]), **dict(error["details"]))
                return Parsed(data, (), append_safe=False, error=exc)
            items = tuple(self.parse_item(raw) for raw in record["items"])
            append_safe = record["append_safe"]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        ids = frozenset(i.id for i in items)
        if len(ids) != len(items) or not isinstance(append_safe, bool):
            return None
        return Parsed(data, items, append_safe=append_safe, ids=ids)

    def _extend(self, previous: Parsed, data: bytes) -> Parsed | None:
        """``data`` parsed as ``previous`` plus the items of the suffix it appends, if it does."""
        if not _may_extend(previous.data, data):
            return None
        suffix = data[len(previous.data) :]
        if len(data) > MAX_YAML_BYTES:
            return None
        try:
            text = suffix.decode("utf-8")
            check_yaml_shape(self.path, text)
            raw = yaml.load(text, Loader=_Loader)
            starts = dash_lines(text)
            if not isinstance(raw, list) or starts is None or len(starts) != len(raw):
                return None
            items = (*previous.items, *(self.parse_item(r) for r in raw))
        except (
            UnicodeDecodeError,
            yaml.YAMLError,
            ItemProblem,
            ValueError,
            TypeError,
            WorkspaceFileInvalid,
        ):
            return None
        ids = frozenset(i.id for i in items)
        if len(ids) != len(items):
            return None
        unsaved = previous.unsaved + len(suffix)
        return Parsed(data, items, append_safe=True, ids=ids, unsaved=unsaved)

    def _parse_whole(self, data: bytes) -> Parsed:
        try:
            text = decode(self.path, data)
            raw = load_yaml(self.path, text)
            if raw is None:
                raw = []
            if not isinstance(raw, list):
                raise invalid(
                    self.path,
                    1,
                    f"the file must be a YAML list of entries ('- text: …'), found a "
                    f"{type(raw).__name__}",
                )
            items: list[T] = []
            for index, value in enumerate(raw):
                try:
                    items.append(self.parse_item(value))
                except ItemProblem as exc:
                    raise invalid(self.path, item_line(text, index), str(exc)) from None
            seen: dict[str, int] = {}
            for index, item in enumerate(items):
                if item.id in seen:
                    raise invalid(
                        self.path,
                        item_line(text, index),
                        f"id {item.id!r} is used twice (also by entry {seen[item.id] + 1}); "
                        "give one of them another id or remove the line",
                    )
                seen[item.id] = index
        except WorkspaceFileInvalid as exc:
            return Parsed(data, (), append_safe=False, error=exc, unsaved=len(data))
        starts = dash_lines(text)
        safe = starts is not None and len(starts) == len(items)
        return Parsed(data, tuple(items), append_safe=safe, ids=frozenset(seen), unsaved=len(data))

    def append(self, parsed: Parsed, value: T) -> Parsed:
        """``parsed`` with ``value`` appended as text; see ``_rewrite`` for other shapes."""
        item = dump_item(value.as_yaml())
        data = parsed.data
        if data and not data.endswith(b"\n"):
            data += b"\n"
        if parsed.append_safe:
            ids = parsed.ids | {value.id}
            unsaved = parsed.unsaved + len(data) + len(item) - len(parsed.data)
            items = (*parsed.items, value)
            return Parsed(data + item, items, append_safe=True, ids=ids, unsaved=unsaved)
        return self._rewrite(parsed, data + item, (*parsed.items, value))

    def replace(self, parsed: Parsed, index: int, value: T | None) -> Parsed:
        """``parsed`` with entry ``index`` replaced by ``value`` (removed when None); the
        lines of every other entry are kept as they are."""
        items = list(parsed.items)
        if value is None:
            del items[index]
        else:
            items[index] = value
        text = parsed.data.decode("utf-8")
        starts = dash_lines(text) if parsed.append_safe else None
        if starts is None or len(starts) != len(parsed.items):
            return self._rewrite(parsed, None, tuple(items))
        lines = text.split("\n")
        begin = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        while end > begin + 1 and (not lines[end - 1] or lines[end - 1].startswith("#")):
            end -= 1
        new = dump_item(value.as_yaml()).decode().rstrip("\n").split("\n") if value else []
        data = "\n".join([*lines[:begin], *new, *lines[end:]]).encode("utf-8")
        ids = frozenset(i.id for i in items)
        return Parsed(data, tuple(items), append_safe=True, ids=ids, unsaved=len(data))

    def _rewrite(self, parsed: Parsed, candidate: bytes | None, items: tuple[T, ...]) -> Parsed:
        """For a valid file that is not a plain block list (flow style, say): keep the edited
        text when it still parses to ``items``, else write every entry out again under the
        file's leading comments. Entries are never lost; other comments may be."""
        if candidate is not None:
            edited = self._parse_whole(candidate)
            if edited.error is None and [i.as_yaml() for i in edited.items] == [
                i.as_yaml() for i in items
            ]:
                return edited
        text = parsed.data.decode("utf-8")
        header = []
        for line in text.split("\n"):
            if line and not line.startswith("#"):
                break
            header.append(line)
        body = b"".join(dump_item(i.as_yaml()) for i in items)
        head = "\n".join(header).strip("\n")
        data = (head + "\n" if head else "").encode("utf-8") + body
        ids = frozenset(i.id for i in items)
        return Parsed(data, items, append_safe=True, ids=ids, unsaved=len(data))


def _may_extend(old: bytes, data: bytes) -> bool:
    """``data`` is ``old`` with block items appended after a line end (checked cheaply)."""
    return (
        len(data) > len(old)
        and (not old or old.endswith(b"\n"))
        and data.startswith(b"- ", len(old))
        and data.startswith(old)
    )


def decode(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise invalid(path, line, "the file is not valid UTF-8 text") from None


def check_yaml_shape(path: str, text: str) -> None:
    """Refuse anchors and aliases, and more than ``MAX_YAML_BYTES`` or ``MAX_YAML_NODES``.

    An alias is a pointer: 5,000 aliases of one 100 KB anchor fit in 0.2 MB but are 500 MB
    once anything walks them as values (the items, the disk cache, an answer). Workspace
    files are plain lists a person edits, so they have no use for either. The parser's event
    stream is checked before anything is built, so a refused file costs no memory.
    """
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_YAML_BYTES:
        raise invalid(
            path, None, f"the file is {size} bytes; workspace YAML may be at most {MAX_YAML_BYTES}"
        )
    nodes = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark else None
                raise invalid(
                    path,
                    line,
                    "YAML anchors and aliases (&name, *name) are not allowed in workspace "
                    "files; write each value out",
                )
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_YAML_NODES:
                    raise invalid(
                        path,
                        None,
                        f"the file has more than {MAX_YAML_NODES} YAML values; split or trim it",
                    )
    except yaml.YAMLError:
        return  # load_yaml reports the syntax error with its line


def load_yaml(path: str, text: str) -> Any:
    check_yaml_shape(path, text)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise invalid(path, mark.line + 1 if mark else None, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise invalid(path, None, f"not valid YAML: {exc}") from None
    except (ValueError, TypeError, RecursionError) as exc:
        # A value YAML cannot build, e.g. the unquoted date 2026-13-45.
        raise invalid(path, None, f"a value cannot be read: {exc}") from None


def item_line(text: str, index: int) -> int | None:
    """The 1-based line where list item ``index`` starts (only called on an error)."""
    node = yaml.compose(text, Loader=_Loader)
    if isinstance(node, yaml.SequenceNode) and index < len(node.value):
        return int(node.value[index].start_mark.line) + 1
    return None


def ids_of(items: Sequence[HasId]) -> set[str]:
    return {i.id for i in items}


__all__ = [
    "FIX_HINT",
    "ItemProblem",
    "YamlList",
    "blob_id",
    "derived_id",
    "dump_item",
    "invalid",
]
