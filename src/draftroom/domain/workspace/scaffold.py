"""Starting a project workspace in a sandbox: the three files, in one commit, once.

Idempotent: a file already on the branch is left exactly as it is, so calling it again
neither duplicates entries nor overwrites what a person or the assistant wrote. The one
exception is a workspace the sandbox inherited from ``main`` for another project: a
workspace belongs to its sandbox, so the named project gets fresh files.
"""

from __future__ import annotations

from dataclasses import dataclass

from draftroom.domain.access import BASE_BRANCH, SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.workspace.cache import Parsed
from draftroom.domain.workspace.files import (
    MEMORY_FILE,
    TASKS_FILE,
    TRACE_FILE,
    WORKSPACE_FILES,
    Edit,
    blob_at,
    write_workspace,
)
from draftroom.domain.workspace.memory import MEMORY, memory_entries, memory_entry, new_id
from draftroom.domain.workspace.reasoning import parse_trace_file, trace_preamble
from draftroom.domain.workspace.tasks import TASKS, Task
from draftroom.domain.workspace.times import now
from draftroom.errors import InvalidInput, InvalidRequest, WorkspaceFileInvalid
from draftroom.git import Repository

MEMORY_HEADER = (
    "# Project memory, kept by draftroom. A YAML list, oldest first; new entries are appended.\n"
    "# You may edit it by hand: each entry is '- text: …' with optional id (m-<8 hex>),\n"
    "# at (UTC ISO 8601), kind (note, goal, project, …) and tags. See docs/workspace.md.\n"
)
TASKS_HEADER = (
    "# Project tasks, kept by draftroom. A YAML list in the order tasks were created.\n"
    "# You may edit it by hand: each task is '- title: …' with optional id (t-<8 hex>),\n"
    "# status (todo, doing, blocked, done), priority (low, normal, high), description,\n"
    "# notes. See docs/workspace.md.\n"
)

TEMPLATES: dict[str, tuple[str, ...]] = {
    "default": (),
    "software": (
        "Write down what done looks like for this project",
        "Read the code that the first change touches",
        "Make the first change with a test",
    ),
    "writing": (
        "Outline the document",
        "Write a first draft",
        "Revise the draft",
    ),
}
"""Built-in templates: the starter tasks each adds to a new task list."""


class _AlreadyThere(Exception):
    """Every file appeared while we were about to write them: nothing to commit."""


@dataclass(frozen=True)
class Scaffolded:
    files: list[str]
    commit_sha: str | None


def check_project(project_name: str | None, template: str | None) -> tuple[str, tuple[str, ...]]:
    """The project name and the template's starter tasks; raise before anything is created."""
    name = (project_name or "").strip()
    if not name:
        raise InvalidRequest("mode 'project' needs a project_name (not blank)")
    starter = TEMPLATES.get(template or "default")
    if starter is None:
        raise InvalidInput(
            f"no template {template!r}; choose one of {', '.join(sorted(TEMPLATES))}",
            template=template,
        )
    return name, starter


def _project_of(repo: Repository, ref: str) -> str | None:
    try:
        names = [m.text for m in memory_entries(repo, ref) if m.kind == "project"]
    except WorkspaceFileInvalid:
        return None
    return names[-1] if names else None


def _inherited_for_another(access: SandboxAccess, head: str, name: str) -> bool:
    """Whether the workspace at ``head`` is ``main``'s (as it is now or was when the sandbox
    last met it) and names another project than ``name``."""
    repo = access.repo
    present = {p: blob_at(repo, head, p) for p in WORKSPACE_FILES}
    if not any(present.values()) or _project_of(repo, head) == name:
        return False
    main = repo.head(BASE_BRANCH)
    refs = {main, repo.merge_preview(main, access.branch).base or main}
    return any(
        blob is not None and any(blob_at(repo, ref, path) == blob for ref in refs)
        for path, blob in present.items()
    )


def scaffold_project(
    call: Call,
    access: SandboxAccess,
    project_name: str,
    goals: list[str] | None,
    template: str | None,
) -> Scaffolded:
    """Write whichever workspace files are missing, as one commit; nothing when none is."""
    name, starter = check_project(project_name, template)
    goal_lines = [g.strip() for g in goals or [] if g.strip()]

    def build(head: str) -> Edit[list[str]]:
        fresh = _inherited_for_another(access, head, name)
        missing = [p for p in WORKSPACE_FILES if fresh or blob_at(access.repo, head, p) is None]
        if not missing:
            raise _AlreadyThere
        at = now()
        files: list[tuple[str, Parsed]] = []
        if MEMORY_FILE in missing:
            parsed = Parsed(MEMORY_HEADER.encode(), (), append_safe=True)
            taken: set[str] = set()
            for kind, text in [("project", name), *(("goal", g) for g in goal_lines)]:
                entry = memory_entry(new_id("m", taken), text, kind, (), at)
                taken.add(entry.id)
                parsed = MEMORY.append(parsed, entry)
            files.append((MEMORY_FILE, parsed))
        if TASKS_FILE in missing:
            parsed = Parsed(TASKS_HEADER.encode(), (), append_safe=True)
            taken = set()
            for title in starter:
                task = Task(new_id("t", taken), title, created_at=at, updated_at=at)
                taken.add(task.id)
                parsed = TASKS.append(parsed, task)
            files.append((TASKS_FILE, parsed))
        if TRACE_FILE in missing:
            data = trace_preamble(name)
            files.append((TRACE_FILE, parse_trace_file("", "", data)))
        return Edit(files, f"Start project {name}", [p for p, _ in files])

    try:
        logged, created = write_workspace(call, access, build)
    except _AlreadyThere:
        return Scaffolded([], None)
    return Scaffolded(created, logged.sha)
