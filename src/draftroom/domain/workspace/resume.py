"""The resume briefing: where a project stands, in as few characters as the caller asks for.

It opens with what people changed on ``main`` since the sandbox last worked (the
``human_change`` memories added after its own newest commit), then sections in priority order
(project and goals, open tasks, latest memories, last changes, last rollbacks, latest
reasoning); when the budget runs out, later lines are cut
and the briefing ends by saying what was cut and which tool lists it. It must never be
longer than ``max_chars``, and never fail because one workspace file is invalid: that is
reported at the top instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from draftroom.domain.commits import own_commits, own_rollbacks
from draftroom.domain.workspace.memory import (
    HUMAN_CHANGE,
    HUMAN_CHANGE_TOOL,
    MemoryEntry,
    memory_entries,
)
from draftroom.domain.workspace.reasoning import ReasoningEntry, reasoning_entries
from draftroom.domain.workspace.tasks import OPEN_STATUSES, Task, tasks_of
from draftroom.errors import WorkspaceFileInvalid
from draftroom.git import Repository

LINE_CHARS = 240
CUT_NOTE_RESERVE = 400
RECENT_CHANGES = 10
RECENT_ROLLBACKS = 5
RECENT_REASONING = 5
LATEST_MEMORIES = 30
LAST_HERE_WALK = 50
"""Own commits looked through for the sandbox's last one that was not a human-change note."""
CHANGED_ON_MAIN = "Changed on main since you were last here"
_PRIORITY_ORDER = {"high": 0, "normal": 1, "low": 2}
T = TypeVar("T")


@dataclass
class Section:
    title: str
    lines: list[str]
    total: int
    tool: str
    shown: int = 0
    opens: bool = False
    """Shown first, ahead of the project's name and goals."""


@dataclass
class Briefing:
    text: str
    truncated: bool
    omitted: dict[str, int] = field(default_factory=dict)
    invalid_files: list[str] = field(default_factory=list)


def clip(text: str, width: int = LINE_CHARS) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _safely(
    read: Callable[[], tuple[T, ...]], problems: list[str], files: list[str]
) -> tuple[T, ...]:
    try:
        return read()
    except WorkspaceFileInvalid as exc:
        problems.append(f"- {clip(exc.message, 400)}")
        files.append(str(exc.details.get("path", "")))
        return ()


def _task_line(task: Task) -> str:
    note = f" — last note: {task.notes[-1].text}" if task.notes else ""
    return clip(f"- [{task.status}] {task.id} ({task.priority}) {task.title}{note}")


def _memory_line(entry: MemoryEntry) -> str:
    day = f" {entry.at:%Y-%m-%d}" if entry.at else ""
    tags = " " + " ".join(f"#{t}" for t in entry.tags) if entry.tags else ""
    return clip(f"- {entry.id}{day} [{entry.kind}]{tags}: {entry.text}")


def _reasoning_line(entry: ReasoningEntry) -> str:
    return clip(f"- {entry.id} [{entry.kind}] {entry.text}")


def _rollback_line(record: dict[str, Any]) -> str:
    sha = str(record.get("reverted_sha", ""))[:12]
    reason = record.get("reason") or "no reason given"
    return clip(f"- {sha} at {record.get('at', '')}: {reason}")


def last_here(repo: Repository, head: str, branch: str) -> str | None:
    """The sandbox's newest commit of its own (human-change notes aside); None if none."""
    for commit in own_commits(repo, head, branch, LAST_HERE_WALK):
        if commit.trailers.get("Draftroom-Tool") != HUMAN_CHANGE_TOOL:
            return commit.sha
    return None


def _changed_on_main(
    repo: Repository, head: str, branch: str, memories: tuple[MemoryEntry, ...]
) -> list[MemoryEntry]:
    """The human-change notes added since the sandbox last committed itself."""
    human = [m for m in memories if m.kind == HUMAN_CHANGE]
    since = last_here(repo, head, branch) if human else None
    if since is None:
        return human
    try:
        known = {m.id for m in memory_entries(repo, since)}
    except WorkspaceFileInvalid:
        known = set()
    return [m for m in human if m.id not in known]


def _header(memories: tuple[MemoryEntry, ...], problems: list[str]) -> list[str]:
    names = [m.text for m in memories if m.kind == "project"]
    goals = [m for m in memories if m.kind == "goal"]
    title = f"# Project: {names[-1]}" if names else "# Project: (no project name yet)"
    header = [clip(title, 200)]
    if goals:
        header.append("Goals:")
        header.extend(clip(f"- {g.text}") for g in goals[:10])
    if problems:
        header.append("Invalid workspace files (fix before writing):")
        header.extend(problems)
    return header


def build_sections(
    repo: Repository, head: str, branch: str, problems: list[str], files: list[str]
) -> tuple[list[str], list[Section]]:
    memories = _safely(lambda: memory_entries(repo, head), problems, files)
    tasks = _safely(lambda: tasks_of(repo, head), problems, files)
    reasoning = _safely(lambda: reasoning_entries(repo, head), problems, files)

    header = _header(memories, problems)
    open_tasks = sorted(
        (t for t in tasks if t.status in OPEN_STATUSES),
        key=lambda t: (OPEN_STATUSES.index(t.status), _PRIORITY_ORDER[t.priority]),
    )
    changed = _changed_on_main(repo, head, branch, memories)
    shown = {m.id for m in changed}
    notes = [m for m in memories if m.kind not in ("project", "goal") and m.id not in shown]
    latest = notes[-LATEST_MEMORIES:][::-1]
    log = own_commits(repo, head, branch, RECENT_CHANGES)
    rollbacks = own_rollbacks(repo, head, branch)
    sections = [
        Section(
            CHANGED_ON_MAIN,
            [_memory_line(m) for m in changed[::-1]],
            len(changed),
            "memory.query tags=[human]",
            opens=True,
        ),
        Section("Open tasks", [_task_line(t) for t in open_tasks], len(open_tasks), "tasks.list"),
        Section("Latest memories", [_memory_line(m) for m in latest], len(notes), "memory.query"),
        Section(
            "Last changes",
            [
                clip(
                    f"- {c.sha[:12]} {c.time:%Y-%m-%d %H:%M} "
                    f"({c.trailers.get('Draftroom-Tool', 'git')}) {c.summary}"
                )
                for c in log
            ],
            len(log),
            "git.history",
        ),
        Section(
            "Last rollbacks",
            [_rollback_line(r) for r in rollbacks[::-1][:RECENT_ROLLBACKS]],
            len(rollbacks),
            "files.read .logs/reverted_commits.yaml",
        ),
        Section(
            "Latest reasoning",
            [_reasoning_line(r) for r in reasoning[::-1][:RECENT_REASONING]],
            len(reasoning),
            "reasoning.read",
        ),
    ]
    return header, sections


class _Page:
    """The briefing's lines as they are laid out, within ``budget`` characters."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.parts: list[str] = []
        self.used = 0

    def add(self, line: str) -> bool:
        if self.used + len(line) + 1 > self.budget:
            return False
        self.parts.append(line)
        self.used += len(line) + 1
        return True

    def add_section(self, section: Section) -> None:
        title = f"## {section.title} ({section.total})"
        if not section.lines or not self.add("\n" + title if self.parts else title):
            return
        for line in section.lines:
            if not self.add(line):
                break
            section.shown += 1


def resume_briefing(repo: Repository, head: str, max_chars: int, branch: str) -> Briefing:
    """The briefing of sandbox ``branch`` at ``head``, at most ``max_chars`` characters long.

    Changes and rollbacks are the sandbox's own, never those merged in from ``main``.
    """
    problems: list[str] = []
    files: list[str] = []
    header, sections = build_sections(repo, head, branch, problems, files)
    reserve = min(CUT_NOTE_RESERVE, max_chars // 4)
    page = _Page(max_chars - reserve)
    for section in sections:
        if section.opens:
            page.add_section(section)
    opened = bool(page.parts)
    header_shown = 0
    for number, line in enumerate(header):
        header_shown += page.add("\n" + line if opened and number == 0 else line)
    for section in sections:
        if not section.opens:
            page.add_section(section)
    omitted = {s.title: s.total - s.shown for s in sections if s.total > s.shown}
    truncated = any(s.shown < len(s.lines) for s in sections) or header_shown < len(header)
    parts = page.parts
    if omitted:
        cut = "; ".join(
            f"{s.title.lower()}: {s.total - s.shown} more ({s.tool})"
            for s in sections
            if s.total > s.shown
        )
        parts.append("\n" + clip(f"(Not shown — {cut})", reserve - 2))
    text = "\n".join(parts)
    if len(text) > max_chars:
        text, truncated = text[: max_chars - 1] + "…", True
    return Briefing(text, truncated, omitted, files)
