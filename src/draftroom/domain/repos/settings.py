"""What an admin changes on a repository after registering it: today, whether an approval
needs a reviewer other than the person who asked (``merge.approvals``)."""

from __future__ import annotations

from draftroom import store
from draftroom.domain.access import repository_record
from draftroom.domain.calls import Call


def set_repository(
    call: Call, name: str, *, require_other_reviewer: bool
) -> store.RepositoryRecord:
    """Change the caller's org's repository ``name`` (``NAME`` or ``SLUG/NAME``); 404 if none."""
    record = repository_record(call, call.session, name)
    call.audit.repo = record.name
    record.require_other_reviewer = require_other_reviewer
    return record
