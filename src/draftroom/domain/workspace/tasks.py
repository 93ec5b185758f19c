"""The project's task list in ``task.yaml``: create, move through statuses, list.

Statuses follow ``TRANSITIONS``; a done task goes back to todo only when reopened on
purpose. An update replaces that task's lines only; the rest of the file is kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, cast, get_args

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits import LoggedCommit
from draftroom.domain.workspace.files import (
    TASKS_FILE,
    Edit,
    after_cursor,
    cursor_at,
    read_list,
    write_workspace,
)
from draftroom.domain.workspace.formats import ItemProblem, YamlList, derived_id
from draftroom.domain.workspace.memory import new_id
from draftroom.domain.workspace.times import iso, now, parse_time
from draftroom.errors import InvalidInput, InvalidTransition, NotFound
from draftroom.git import Repository

Status = Literal["todo", "doing", "blocked", "done"]
Priority = Literal["low", "normal", "high"]
STATUSES: tuple[Status, ...] = get_args(Status)
PRIORITIES: tuple[Priority, ...] = get_args(Priority)
OPEN_STATUSES: tuple[Status, ...] = ("doing", "blocked", "todo")

TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    "todo": ("doing", "blocked", "done"),
    "doing": ("todo", "blocked", "done"),
    "blocked": ("todo", "doing", "done"),
    "done": ("todo",),
}
"""Where each status may go. done -> todo needs ``reopen: true``: finished work comes back
only on purpose."""


@dataclass(frozen=True)
class TaskNote:
    text: str
    at: datetime | None = None

    def as_yaml(self) -> dict[str, Any]:
        return {"at": iso(self.at), "text": self.text} if self.at else {"text": self.text}


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    status: Status = "todo"
    priority: Priority = "normal"
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    notes: tuple[TaskNote, ...] = ()

    def as_yaml(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.id, "title": self.title, "status": self.status}
        item["priority"] = self.priority
        if self.description is not None:
            item["description"] = self.description
        if self.created_at:
            item["created_at"] = iso(self.created_at)
        if self.updated_at:
            item["updated_at"] = iso(self.updated_at)
        if self.notes:
            item["notes"] = [n.as_yaml() for n in self.notes]
        return item


def _text(value: object, name: str) -> str:
    if isinstance(value, str | int | float):
        return str(value)
    raise ItemProblem(f"{name} must be text, got a {type(value).__name__}")


def _choice(value: object, name: str, allowed: tuple[str, ...], default: str) -> str:
    if value is None or value == "":
        return default
    text = _text(value, name).strip().lower()
    if text not in allowed:
        raise ItemProblem(f"{name} {text!r} is not one of {', '.join(allowed)}")
    return text


def _note(raw: Any) -> TaskNote:
    if isinstance(raw, str):
        return TaskNote(raw)
    if isinstance(raw, dict) and raw.get("text") is not None:
        return TaskNote(
            _text(raw["text"], "a note's text"), parse_time(raw.get("at"), "a note's at")
        )
    raise ItemProblem("each note must be a line of text or a mapping with 'text'")


def parse_task_item(raw: Any) -> Task:
    """A task from a list item: a mapping with ``title``, or just a line of text (a todo)."""
    if isinstance(raw, str):
        return Task(derived_id("t", raw), raw)
    if not isinstance(raw, dict):
        raise ItemProblem(
            f"each task must be a mapping with 'title' (or a line of text), got {type(raw).__name__}"
        )
    if raw.get("title") is None:
        raise ItemProblem("this task has no 'title'")
    title = _text(raw["title"], "title")
    created = parse_time(raw.get("created_at"), "created_at")
    notes = raw.get("notes") or []
    if not isinstance(notes, list):
        raise ItemProblem("notes must be a list")
    description = raw.get("description")
    task_id = raw.get("id")
    if task_id is None or task_id == "":
        task_id = derived_id("t", title, iso(created))
    task_id = _text(task_id, "id").strip()
    if task_id.split() != [task_id] or len(task_id) > 64:
        raise ItemProblem(f"id {task_id!r} must be one word of at most 64 characters")
    return Task(
        id=task_id,
        title=title,
        status=cast(Status, _choice(raw.get("status"), "status", STATUSES, "todo")),
        priority=cast(Priority, _choice(raw.get("priority"), "priority", PRIORITIES, "normal")),
        description=None if description is None else _text(description, "description"),
        created_at=created,
        updated_at=parse_time(raw.get("updated_at"), "updated_at"),
        notes=tuple(_note(n) for n in notes),
    )


TASKS = YamlList(TASKS_FILE, parse_task_item)


def tasks_of(repo: Repository, ref: str) -> tuple[Task, ...]:
    return read_list(repo, ref, TASKS).items


def create_task(
    call: Call, access: SandboxAccess, title: str, description: str | None, priority: Priority
) -> tuple[LoggedCommit, Task]:
    def build(head: str) -> Edit[Task]:
        parsed = read_list(access.repo, head, TASKS)
        at = now()
        task = Task(
            id=new_id("t", parsed.ids),
            title=title,
            priority=priority,
            description=description or None,
            created_at=at,
            updated_at=at,
        )
        files = [(TASKS_FILE, TASKS.append(parsed, task))]
        return Edit(files, f"Add task {task.id}: {title}", task, {TASKS_FILE: parsed.data})

    return write_workspace(call, access, build)


def check_transition(task: Task, status: Status, reopen: bool) -> None:
    if status == task.status:
        return
    if status not in TRANSITIONS[task.status]:
        allowed = ", ".join(TRANSITIONS[task.status])
        raise InvalidTransition(
            f"task {task.id} cannot go from {task.status} to {status}; from {task.status} it "
            f"may go to: {allowed}",
            id=task.id,
            status=task.status,
            requested=status,
            allowed=list(TRANSITIONS[task.status]),
        )
    if task.status == "done" and not reopen:
        raise InvalidTransition(
            f"task {task.id} is done; pass reopen: true to move it back to todo",
            id=task.id,
            status=task.status,
            requested=status,
            allowed=list(TRANSITIONS[task.status]),
        )


def update_task(
    call: Call,
    access: SandboxAccess,
    task_id: str,
    *,
    status: Status | None = None,
    title: str | None = None,
    note: str | None = None,
    reopen: bool = False,
) -> tuple[LoggedCommit, Task]:
    if status is None and title is None and note is None:
        raise InvalidInput("nothing to update: pass status, title or note")

    def build(head: str) -> Edit[Task]:
        parsed = read_list(access.repo, head, TASKS)
        index = next((i for i, t in enumerate(parsed.items) if t.id == task_id), None)
        if index is None:
            raise NotFound(f"no task {task_id!r}; find ids with tasks.list", id=task_id)
        task: Task = parsed.items[index]
        if status is not None:
            check_transition(task, status, reopen)
        at = now()
        updated = replace(
            task,
            status=status or task.status,
            title=title or task.title,
            updated_at=at,
            notes=(*task.notes, TaskNote(note, at)) if note else task.notes,
        )
        what = f"{task.status} -> {updated.status}" if updated.status != task.status else "update"
        message = f"Task {task.id} {what}: {updated.title}"
        files = [(TASKS_FILE, TASKS.replace(parsed, index, updated))]
        return Edit(files, message, updated, {TASKS_FILE: parsed.data})

    return write_workspace(call, access, build)


@dataclass(frozen=True)
class TaskPage:
    items: list[Task]
    next_cursor: str | None
    total: int


def list_tasks(
    tasks: tuple[Task, ...], status: Status | None, cursor: str | None, limit: int
) -> TaskPage:
    """Tasks in the order they were created, optionally of one status."""
    total = sum(1 for t in tasks if status is None or t.status == status)
    page: list[Task] = []
    next_cursor = None
    last = -1
    for index in after_cursor(tasks, cursor, newest_first=False):
        if status is not None and tasks[index].status != status:
            continue
        if len(page) == limit:
            next_cursor = cursor_at(tasks, last)
            break
        page.append(tasks[index])
        last = index
    return TaskPage(page, next_cursor, total)
