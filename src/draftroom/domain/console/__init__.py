"""What the console shows: read models of sandboxes, merge requests, people, failures and
audit, each scoped to the signed-in person's org and role.

Reads only: the console's buttons run tools through ``Registry.invoke``.
"""

from draftroom.domain.console.merge_requests import (
    MERGE_REQUEST_STATES,
    MergeRequestQuery,
    merge_request_page,
    merge_request_queue,
    merge_request_queue_query,
)
from draftroom.domain.console.scope import sees_everyone

__all__ = [
    "MERGE_REQUEST_STATES",
    "MergeRequestQuery",
    "merge_request_page",
    "merge_request_queue",
    "merge_request_queue_query",
    "sees_everyone",
]
