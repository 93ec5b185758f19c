"""What the console shows: read models of sandboxes, merge requests, people, failures and
audit, each scoped to the signed-in person's org and role.

Reads only: the console's buttons run tools through ``Registry.invoke``.
"""

from draftroom.domain.console.audit import (
    AUDIT_PARAMETERS,
    EXPORT_COLUMNS,
    AuditPage,
    AuditQuery,
    audit_page,
    export_records,
    parse_query,
)
from draftroom.domain.console.failures import AlertState, FailuresView, failures_view
from draftroom.domain.console.people import KeyRow, PeopleView, people_and_keys
from draftroom.domain.console.scope import sees_everyone

__all__ = [
    "AUDIT_PARAMETERS",
    "EXPORT_COLUMNS",
    "AlertState",
    "AuditPage",
    "AuditQuery",
    "FailuresView",
    "KeyRow",
    "PeopleView",
    "audit_page",
    "export_records",
    "failures_view",
    "parse_query",
    "people_and_keys",
    "sees_everyone",
]
