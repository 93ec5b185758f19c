"""Getting a sandbox into ``main``: merge requests (open, preview, approve, reject; only a
human decides) and a sandbox's lifecycle (standing, archive, unarchive).
"""

from draftroom.domain.merge.lifecycle import (
    LAST_ROLLBACKS,
    SandboxView,
    Standing,
    State,
    archive_sandbox,
    standing,
)
from draftroom.domain.merge.patch import request_patch
from draftroom.domain.merge.requests import live_view, request_merge, union_log_lists
from draftroom.domain.merge.views import MergeRequestView

__all__ = [
    "LAST_ROLLBACKS",
    "MergeRequestView",
    "SandboxView",
    "Standing",
    "State",
    "archive_sandbox",
    "live_view",
    "request_merge",
    "request_patch",
    "standing",
    "union_log_lists",
]
