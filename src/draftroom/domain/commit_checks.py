"""The checks a tool's change set passes before it becomes a commit: limits, rate, secrets.

``check_commit`` runs in ``commit_and_log`` ahead of the git write, so whatever refuses a
commit has written nothing. Reads the current branch head once for the old sizes and the
old contents the secret scan compares against.
"""

from __future__ import annotations

from collections.abc import Sequence

from draftroom.domain.calls import Call
from draftroom.domain.limits import check_change_set, check_commit_rate, check_sandbox_size
from draftroom.domain.sandboxes import SandboxAccess
from draftroom.domain.secret_scan import refuse_secrets, scan_changes
from draftroom.errors import PathNotFound
from draftroom.git import Change


def check_commit(
    call: Call, access: SandboxAccess, changes: Sequence[Change], *, allow_secrets: bool = False
) -> None:
    """Raise the first refusal (413, 429, 422 ``secret_detected``) for ``changes``, or pass.

    ``allow_secrets`` lets found secrets through, and the audit row says which were let in.
    """
    settings = call.services.settings
    check_change_set(settings, changes)
    check_commit_rate(call, access)
    head = access.head()
    check_sandbox_size(settings, access, head, changes, lambda path: _old_size(access, head, path))
    findings = scan_changes(changes, lambda path: _old_data(access, head, path))
    if allow_secrets:
        call.audit.detail["allow_secrets"] = True
        if findings:
            call.audit.detail["secrets_allowed"] = [f.to_dict() for f in findings[:20]]
    elif findings:
        raise refuse_secrets(findings)


def _old_size(access: SandboxAccess, head: str, path: str) -> int | None:
    try:
        return access.repo.file_size(head, path)
    except PathNotFound:
        return None


def _old_data(access: SandboxAccess, head: str, path: str) -> bytes | None:
    try:
        return access.repo.read_file(head, path).data
    except PathNotFound:
        return None
