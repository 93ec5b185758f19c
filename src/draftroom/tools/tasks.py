"""Task tools: the project's task list in ``task.yaml``, with validated status changes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.workspace import (
    Priority,
    Status,
    Task,
    create_task,
    list_tasks,
    tasks_of,
    update_task,
)
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import SandboxInput, fit_page
from draftroom.tools.receipts import Receipt, receipts
from draftroom.tools.versions import REPLACED_BY_V2


class TaskNoteOut(BaseModel):
    text: str
    at: datetime | None


class TaskOut(BaseModel):
    id: str
    title: str
    status: Status
    priority: Priority
    description: str | None
    created_at: datetime | None
    updated_at: datetime | None
    notes: list[TaskNoteOut]


def task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.id,
        title=task.title,
        status=task.status,
        priority=task.priority,
        description=task.description,
        created_at=task.created_at,
        updated_at=task.updated_at,
        notes=[TaskNoteOut(text=n.text, at=n.at) for n in task.notes],
    )


class TaskWriteOutput(BaseModel):
    id: str
    task: TaskOut
    commit_sha: str = Field(description="Undo with git.rollback_commit.")
    branch: str


class TaskCreateInput(SandboxInput):
    title: str = Field(..., min_length=1, max_length=300, description="What is to be done.")
    description: str | None = Field(None, max_length=10_000)
    priority: Priority = Field("normal", description="low, normal or high.")


@tool(
    "tasks.create",
    summary="Add a task to the project's task list",
    description="Appends a todo task to task.yaml on your branch (one commit). Returns its id.",
    writes=True,
    deprecated=REPLACED_BY_V2,
)
def create(call: Call, sandbox: SandboxAccess, body: TaskCreateInput) -> TaskWriteOutput:
    logged, task = create_task(call, sandbox, body.title, body.description, body.priority)
    return TaskWriteOutput(
        id=task.id, task=task_out(task), commit_sha=logged.sha, branch=logged.branch
    )


class TaskUpdateInput(SandboxInput):
    id: str = Field(
        ..., min_length=1, max_length=64, description="The task's id, e.g. 't-1a2b3c4d'."
    )
    status: Status | None = Field(
        None,
        description=(
            "todo, doing, blocked or done. todo/doing/blocked move freely and to done; "
            "done goes back only to todo, with reopen: true."
        ),
    )
    title: str | None = Field(None, min_length=1, max_length=300)
    note: str | None = Field(
        None, min_length=1, max_length=5_000, description="Appended to the task's notes."
    )
    reopen: bool = Field(False, description="Required to move a done task back to todo.")


@tool(
    "tasks.update",
    summary="Change a task's status, title or notes",
    description=(
        "One commit. An invalid status change (e.g. done -> doing) is 409 invalid_transition "
        "with the allowed statuses."
    ),
    writes=True,
    deprecated=REPLACED_BY_V2,
)
def update(call: Call, sandbox: SandboxAccess, body: TaskUpdateInput) -> TaskWriteOutput:
    logged, task = update_task(
        call,
        sandbox,
        body.id,
        status=body.status,
        title=body.title,
        note=body.note,
        reopen=body.reopen,
    )
    return TaskWriteOutput(
        id=task.id, task=task_out(task), commit_sha=logged.sha, branch=logged.branch
    )


class TaskWritten(TaskWriteOutput):
    receipts: list[Receipt] = Field(description="What the commit changed, read back from it.")


def task_written(sandbox: SandboxAccess, out: TaskWriteOutput) -> TaskWritten:
    return TaskWritten(**dict(out), receipts=receipts(sandbox, out.commit_sha))


@tool(
    "tasks.create",
    api_version=2,
    summary="Add a task to the project's task list",
    description=(
        "Appends a todo task to task.yaml on your branch (one commit). Returns its id, and "
        "receipts saying what landed."
    ),
    writes=True,
)
def create_v2(call: Call, sandbox: SandboxAccess, body: TaskCreateInput) -> TaskWritten:
    return task_written(sandbox, create(call, sandbox, body))


@tool(
    "tasks.update",
    api_version=2,
    summary="Change a task's status, title or notes",
    description=(
        "One commit (receipts say what landed). An invalid status change (e.g. done -> doing) "
        "is 409 invalid_transition with the allowed statuses."
    ),
    writes=True,
)
def update_v2(call: Call, sandbox: SandboxAccess, body: TaskUpdateInput) -> TaskWritten:
    return task_written(sandbox, update(call, sandbox, body))


class TaskListInput(SandboxInput):
    status: Status | None = Field(None, description="Only tasks with this status.")
    cursor: str | None = Field(
        None, max_length=200, description="next_cursor from the previous page."
    )
    limit: int = Field(50, ge=1, le=200)


class TaskListOutput(BaseModel):
    items: list[TaskOut] = Field(description="In the order the tasks were created.")
    next_cursor: str | None
    total: int = Field(description="Tasks matching, over all pages.")


@tool(
    "tasks.list",
    summary="List the project's tasks",
    description="In creation order, in pages (pass next_cursor); filter by status.",
)
def list_(call: Call, sandbox: SandboxAccess, body: TaskListInput) -> TaskListOutput:
    tasks = tasks_of(sandbox.repo, sandbox.head())

    def fetch(limit: int) -> TaskListOutput:
        page = list_tasks(tasks, body.status, body.cursor, limit)
        return TaskListOutput(
            items=[task_out(t) for t in page.items], next_cursor=page.next_cursor, total=page.total
        )

    return fit_page(fetch, body.limit)
