"""``template.yaml``: what a template says about itself, read with every problem named.

Parsing collects problems instead of stopping at the first, so whoever adds a template sees
all of them at once. YAML is read the workspace's way (``workspace.load_yaml``: safe loader,
no anchors or aliases, bounded size), never with a loader that builds objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from draftroom.domain.templates.filling import placeholder_problems
from draftroom.domain.workspace import load_yaml
from draftroom.errors import WorkspaceFileInvalid

MANIFEST = "template.yaml"
MAX_MANIFEST_BYTES = 64 * 1024
MAX_TASKS = 100
MAX_MEMORIES = 100
MAX_PROMPTS = 30
MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 4_000
MAX_PROMPT_CHARS = 8_000
MAX_TAGS = 10
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}$")
PROMPT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
KEYS = ("name", "version", "description", "files", "tasks", "memories", "prompts")
REQUIRED = ("name", "version", "description")


@dataclass(frozen=True)
class TaskSeed:
    title: str
    description: str | None = None


@dataclass(frozen=True)
class MemorySeed:
    text: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    description: str
    files_dir: str = "files"
    tasks: tuple[TaskSeed, ...] = ()
    memories: tuple[MemorySeed, ...] = ()
    prompts: tuple[tuple[str, str], ...] = ()


@dataclass
class Problems:
    """Every problem found so far, each a sentence naming where and what to do."""

    found: list[str] = field(default_factory=list)

    def add(self, problem: str) -> None:
        self.found.append(problem)


def version_key(version: str) -> tuple[Any, ...]:
    """Semver precedence: a release sorts after its pre-releases; build metadata is ignored."""
    match = SEMVER.match(version)
    if match is None:
        return (-1,)
    major, minor, patch, pre, _ = match.groups()
    parts: tuple[Any, ...] = ()
    if pre:
        parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0 if pre else 1, parts)


def parse_manifest(data: bytes, problems: Problems) -> Manifest | None:
    """The manifest in ``data``, or None with why in ``problems``."""
    if len(data) > MAX_MANIFEST_BYTES:
        problems.add(f"{MANIFEST} is {len(data)} bytes; it may be at most {MAX_MANIFEST_BYTES}")
        return None
    try:
        raw = load_yaml(MANIFEST, data.decode("utf-8"))
    except UnicodeDecodeError:
        problems.add(f"{MANIFEST} is not UTF-8 text")
        return None
    except WorkspaceFileInvalid as exc:
        line = exc.details.get("line")
        where = f"{MANIFEST} line {line}" if line else MANIFEST
        problems.add(f"{where}: {exc.details.get('problem', exc.message)}")
        return None
    if not isinstance(raw, dict):
        problems.add(f"{MANIFEST} must be a mapping of keys ({', '.join(KEYS)})")
        return None
    before = len(problems.found)
    for key in raw:
        if key not in KEYS:
            problems.add(f"{MANIFEST}: unknown key {str(key)!r}; allowed keys: {', '.join(KEYS)}")
    for key in REQUIRED:
        if raw.get(key) is None:
            problems.add(f"{MANIFEST}: {key!r} is missing")
    name = _text(raw, "name", problems, MAX_TITLE_CHARS)
    if name is not None and not NAME.match(name):
        problems.add(
            f"{MANIFEST}: name {name[:60]!r} must match {NAME.pattern}, e.g. 'llm-chatbot'"
        )
    version = _text(raw, "version", problems, 100)
    if version is not None and not SEMVER.match(version):
        problems.add(f"{MANIFEST}: version {version[:60]!r} is not semver (MAJOR.MINOR.PATCH)")
    description = _text(raw, "description", problems, MAX_TEXT_CHARS)
    files_dir = _text(raw, "files", problems, 200) or "files/"
    manifest = Manifest(
        name or "",
        version or "",
        description or "",
        files_dir.rstrip("/"),
        _tasks(raw.get("tasks"), problems),
        _memories(raw.get("memories"), problems),
        _prompts(raw.get("prompts"), problems),
    )
    return manifest if len(problems.found) == before else None


def _text(raw: dict[Any, Any], key: str, problems: Problems, limit: int) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and key == "version":
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{MANIFEST}: {key!r} must be non-empty text")
        return None
    if len(value) > limit:
        problems.add(f"{MANIFEST}: {key!r} is longer than {limit} characters")
        return None
    return value.strip()


def _list(value: Any, key: str, limit: int, problems: Problems) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(f"{MANIFEST}: {key!r} must be a list")
        return []
    if len(value) > limit:
        problems.add(f"{MANIFEST}: {key!r} has {len(value)} entries; at most {limit}")
        return []
    return value


def _entry(item: Any, where: str, keys: tuple[str, ...], problems: Problems) -> dict[Any, Any]:
    if not isinstance(item, dict):
        problems.add(f"{MANIFEST}: {where} must be a mapping with {', '.join(keys)}")
        return {}
    for key in item:
        if key not in keys:
            problems.add(f"{MANIFEST}: {where} has unknown key {str(key)!r}; allowed: {keys}")
    return item


def _tasks(value: Any, problems: Problems) -> tuple[TaskSeed, ...]:
    seeds = []
    for index, item in enumerate(_list(value, "tasks", MAX_TASKS, problems), start=1):
        raw = _entry(item, f"tasks #{index}", ("title", "description"), problems)
        title, description = raw.get("title"), raw.get("description")
        if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE_CHARS:
            problems.add(f"{MANIFEST}: tasks #{index} needs a title of 1-{MAX_TITLE_CHARS} chars")
            continue
        if description is not None and (
            not isinstance(description, str) or len(description) > MAX_TEXT_CHARS
        ):
            problems.add(f"{MANIFEST}: tasks #{index} description must be text up to 4000 chars")
            continue
        seeds.append(TaskSeed(title.strip(), description.strip() if description else None))
    return tuple(seeds)


def _memories(value: Any, problems: Problems) -> tuple[MemorySeed, ...]:
    seeds = []
    for index, item in enumerate(_list(value, "memories", MAX_MEMORIES, problems), start=1):
        raw = _entry(item, f"memories #{index}", ("text", "tags"), problems)
        text, tags = raw.get("text"), raw.get("tags") or []
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_CHARS:
            problems.add(f"{MANIFEST}: memories #{index} needs a text of 1-{MAX_TEXT_CHARS} chars")
            continue
        if (
            not isinstance(tags, list)
            or len(tags) > MAX_TAGS
            or not all(isinstance(t, str) and TAG.match(t) for t in tags)
        ):
            problems.add(
                f"{MANIFEST}: memories #{index} tags must be a list of up to {MAX_TAGS} words "
                f"matching {TAG.pattern}"
            )
            continue
        seeds.append(MemorySeed(text.strip(), tuple(tags)))
    return tuple(seeds)


def _prompts(value: Any, problems: Problems) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or len(value) > MAX_PROMPTS:
        problems.add(f"{MANIFEST}: 'prompts' must map up to {MAX_PROMPTS} names to texts")
        return ()
    found = []
    for name, text in value.items():
        if not isinstance(name, str) or not PROMPT_NAME.match(name):
            problems.add(
                f"{MANIFEST}: prompt name {str(name)[:60]!r} must match {PROMPT_NAME.pattern}"
            )
            continue
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_PROMPT_CHARS:
            problems.add(f"{MANIFEST}: prompt {name!r} must be text of 1-{MAX_PROMPT_CHARS} chars")
            continue
        for problem in placeholder_problems(text):
            problems.add(f"{MANIFEST}: prompt {name!r}: {problem}")
        found.append((name, text))
    return tuple(found)
