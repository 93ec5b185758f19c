"""Getting a sandbox into ``main``: merge requests (open, preview, approve, reject; only a
human decides) and a sandbox's lifecycle (standing, archive, unarchive).
"""

from draftroom.domain.merge.lifecycle import (
    LAST_ROLLBACKS,
    SandboxView,
    Standing,
    State,
    standing,
)
from draftroom.domain.merge.requests import request_merge, union_log_lists
from draftroom.domain.merge.views import MergeRequestView

__all__ = [
    "LAST_ROLLBACKS",
    "MergeRequestView",
    "SandboxView",
    "Standing",
    "State",
    "request_merge",
    "standing",
    "union_log_lists",
]
