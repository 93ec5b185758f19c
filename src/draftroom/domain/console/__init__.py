"""What the console shows: read models of sandboxes, merge requests, people, failures and
audit, each scoped to the signed-in person's org and role.

Reads only: the console's buttons run tools through ``Registry.invoke``.
"""

from draftroom.domain.console.history import (
    Changes,
    DiffLine,
    FileDiff,
    History,
    HistoryCommit,
    OperationLine,
    RollbackWords,
)
from draftroom.domain.console.sandbox import SandboxPage, Workspace, find_sandbox, sandbox_page
from draftroom.domain.console.sandboxes import (
    IDLE,
    PAGE_SIZE,
    STATES,
    ListedSandbox,
    ListQuery,
    SandboxList,
    list_query,
    sandbox_list,
)
from draftroom.domain.console.scope import sees_everyone

__all__ = [
    "IDLE",
    "PAGE_SIZE",
    "STATES",
    "Changes",
    "DiffLine",
    "FileDiff",
    "History",
    "HistoryCommit",
    "ListQuery",
    "ListedSandbox",
    "OperationLine",
    "RollbackWords",
    "SandboxList",
    "SandboxPage",
    "Workspace",
    "find_sandbox",
    "list_query",
    "sandbox_list",
    "sandbox_page",
    "sees_everyone",
]
