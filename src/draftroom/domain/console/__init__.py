"""What the console shows: read models of sandboxes, merge requests, people, failures and
audit, each scoped to the signed-in person's org and role.

Reads only: the console's buttons run tools through ``Registry.invoke``.
"""

from draftroom.domain.console.audit import (
    AUDIT_PARAMETERS,
    AuditPage,
    AuditQuery,
    audit_page,
    export_records,
    parse_query,
)
from draftroom.domain.console.diff import DiffLine, FileDiff
from draftroom.domain.console.failures import AlertState, FailuresView, failures_view
from draftroom.domain.console.history import (
    Changes,
    History,
    HistoryCommit,
    OperationLine,
    RollbackWords,
)
from draftroom.domain.console.merge_requests import (
    MERGE_REQUEST_STATES,
    MergeRequestQuery,
    merge_request_page,
    merge_request_queue,
    merge_request_queue_query,
)
from draftroom.domain.console.overview import Hour, HourCache, Overview, read_overview
from draftroom.domain.console.people import KeyRow, PeopleView, people_and_keys
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
    "AUDIT_PARAMETERS",
    "IDLE",
    "MERGE_REQUEST_STATES",
    "PAGE_SIZE",
    "STATES",
    "AlertState",
    "AuditPage",
    "AuditQuery",
    "Changes",
    "DiffLine",
    "FailuresView",
    "FileDiff",
    "History",
    "HistoryCommit",
    "Hour",
    "HourCache",
    "KeyRow",
    "ListQuery",
    "ListedSandbox",
    "MergeRequestQuery",
    "OperationLine",
    "Overview",
    "PeopleView",
    "RollbackWords",
    "SandboxList",
    "SandboxPage",
    "Workspace",
    "audit_page",
    "export_records",
    "failures_view",
    "find_sandbox",
    "list_query",
    "merge_request_page",
    "merge_request_queue",
    "merge_request_queue_query",
    "parse_query",
    "people_and_keys",
    "read_overview",
    "sandbox_list",
    "sandbox_page",
    "sees_everyone",
]
