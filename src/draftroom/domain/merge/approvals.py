"""Who asks for a merge and who decides it: the key and the person it acts for, and the
repository setting that wants someone other than the asker to approve.

"The same person" is decided by user id when the request was made for a person, else by the
key that made it; never by email or name, which a person may share or change.
"""

from __future__ import annotations

from draftroom import store
from draftroom.domain.calls import Call
from draftroom.errors import SelfApproval


def record_decision(call: Call, request: store.MergeRequest) -> None:
    """Name the caller (key and person) as the one who decided, now."""
    request.decided_at = store.utc_now()
    request.decided_by_key_id = call.principal.api_key_id
    request.decided_by_user_id = call.principal.user_id


def refuse_self_approval(call: Call, request: store.MergeRequest) -> None:
    """``SelfApproval`` when the repository requires another reviewer and the caller asked."""
    if not request.repository.require_other_reviewer:
        return
    principal = call.principal
    if request.requested_by_user_id is not None:
        same = principal.user_id == request.requested_by_user_id
    else:
        same = principal.api_key_id == request.requested_by_key_id
    if same:
        raise SelfApproval(
            f"you asked for merge request #{request.id}, and repository "
            f"{request.repository.name!r} requires another reviewer to approve it; ask one "
            "(or reject it yourself)",
            merge_request_id=request.id,
        )
