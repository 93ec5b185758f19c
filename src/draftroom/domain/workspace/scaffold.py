"""Starting a project workspace in a sandbox: the three files, in one commit, once.

Idempotent: a file already on the branch is left exactly as it is, so calling it again
neither duplicates entries nor overwrites what a person or the assistant wrote. The one
exception is a workspace the sandbox inherited from ``main`` for another project: a
workspace belongs to its sandbox, so the named project gets fresh files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
from draftroom.domain.workspace.memory import (
    DEFAULT_KIND,
    MEMORY,
    memory_entries,
    memory_entry,
    new_id,
)
from draftroom.domain.workspace.reasoning import parse_trace_file, trace_preamble
from draftroom.domain.workspace.tasks import TASKS, Task
from draftroom.domain.workspace.times import now
from draftroom.errors import InvalidInput, InvalidRequest, WorkspaceFileInvalid
from draftroom.git import Change, Repository

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
TEMPLATE_KIND = "template"
"""The memory entry kind naming the template (``NAME@VERSION``) a project started from."""


@dataclass(frozen=True)
class Starter:
    """What a template adds to a new project beside its name and goals: files (written
    over the branch's files of the same path), tasks (title, description), memories (text, tags), and
    ``label`` (``NAME@VERSION``), remembered as a ``template`` memory entry."""

    label: str
    files: tuple[Change, ...] = ()
    tasks: tuple[tuple[str, str | None], ...] = ()
    memories: tuple[tuple[str, tuple[str, ...]], ...] = ()


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


def _memory_file(name: str, goals: list[str], starter: Starter, at: datetime) -> Parsed:
    parsed = Parsed(MEMORY_HEADER.encode(), (), append_safe=True)
    taken: set[str] = set()
    seeds: list[tuple[str, str, tuple[str, ...]]] = [("project", name, ())]
    seeds += [("goal", goal, ()) for goal in goals]
    if starter.files or starter.memories or "@" in starter.label:
        seeds.append((TEMPLATE_KIND, starter.label, ()))
    seeds += [(DEFAULT_KIND, text, tags) for text, tags in starter.memories]
    for kind, text, tags in seeds:
        entry = memory_entry(new_id("m", taken), text, kind, tags, at)
        taken.add(entry.id)
        parsed = MEMORY.append(parsed, entry)
    return parsed


def _tasks_file(starter: Starter, at: datetime) -> Parsed:
    parsed = Parsed(TASKS_HEADER.encode(), (), append_safe=True)
    taken: set[str] = set()
    for title, description in starter.tasks:
        task = Task(
            new_id("t", taken), title, description=description, created_at=at, updated_at=at
        )
        taken.add(task.id)
        parsed = TASKS.append(parsed, task)
    return parsed


def scaffold_project(
    call: Call,
    access: SandboxAccess,
    project_name: str,
    goals: list[str] | None,
    template: str | None,
    starter: Starter | None = None,
) -> Scaffolded:
    """Write whichever workspace files are missing, as one commit; nothing when none is.

    With ``starter`` (a resolved template) its files, tasks and memories join that commit,
    instead of ``template``'s built-in starter tasks.
    """
    if starter is None:
        name, titles = check_project(project_name, template)
        starter = Starter(template or "default", tasks=tuple((t, None) for t in titles))
    else:
        name, _ = check_project(project_name, None)
    goal_lines = [g.strip() for g in goals or [] if g.strip()]
    seeds = starter

    def build(head: str) -> Edit[list[str]]:
        fresh = _inherited_for_another(access, head, name)
        missing = [p for p in WORKSPACE_FILES if fresh or blob_at(access.repo, head, p) is None]
        if not missing:
            raise _AlreadyThere
        at = now()
        files: list[tuple[str, Parsed]] = []
        if MEMORY_FILE in missing:
            files.append((MEMORY_FILE, _memory_file(name, goal_lines, seeds, at)))
        if TASKS_FILE in missing:
            files.append((TASKS_FILE, _tasks_file(seeds, at)))
        if TRACE_FILE in missing:
            data = trace_preamble(name)
            files.append((TRACE_FILE, parse_trace_file("", "", data)))
        # The template's files come with the project's start (its memory file) only, so
        # resuming never rewrites them; they replace same-named files (main's README.md).
        extra = list(seeds.files) if MEMORY_FILE in missing else []
        created = [p for p, _ in files] + [c.path for c in extra]
        return Edit(files, f"Start project {name}", created, extra=extra)

    try:
        logged, created = write_workspace(call, access, build)
    except _AlreadyThere:
        return Scaffolded([], None)
    return Scaffolded(created, logged.sha)
