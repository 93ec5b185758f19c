"""``draftroom privacy export|erase --user EMAIL``: what is held about a person, and its end.

Git history is not rewritten: commits a person authored keep their author (rewriting
shared history would break every clone and the audit trail's commit claims); the database
keeps nothing personal of them after an erasure. See ``docs/audit.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import find_person, revoke_sandbox_tokens
from draftroom.domain.audit import PERSONAL_DETAIL
from draftroom.domain.calls import Call, Services
from draftroom.errors import DraftroomError
from draftroom.store import utc_now

ERASED_DOMAIN = "erased.invalid"


def person_records(services: Services, user_id: int) -> Iterator[dict[str, Any]]:
    """The person's profile, keys, sandboxes, sign-ins and audit rows, one record each."""
    with services.database.session() as session:
        user = store.get_user_by_id(session, user_id)
        assert user is not None
        yield {"kind": "profile", "id": user.id, "org_id": user.org_id, "email": user.email,
               "name": user.name, "role": user.role, "created_at": _iso(user.created_at),
               "removed_at": _iso(user.removed_at), "has_password": user.password_hash is not None}  # fmt: skip
        for key in store.list_api_keys(session, user.org_id):
            if key.user_id == user.id:
                yield {"kind": "key", "id": key.id, "role": key.role, "label": key.label,
                       "created_at": _iso(key.created_at), "revoked_at": _iso(key.revoked_at),
                       "last_used_at": _iso(key.last_used_at)}  # fmt: skip
        for sandbox in store.sandboxes_for_user(session, user.id):
            yield {"kind": "sandbox", "id": sandbox.id, "repository": sandbox.repository.name,
                   "branch": sandbox.branch, "status": sandbox.status,
                   "project_name": sandbox.project_name, "created_at": _iso(sandbox.created_at)}  # fmt: skip
        for page in store.person_audit_pages(session, user.id):
            for row in page:
                yield {"kind": "audit", "id": row.id, "at": _iso(row.at), "tool": row.tool,
                       "key_id": row.api_key_id, "repo": row.repo, "branch": row.branch,
                       "status": row.outcome, "code": row.error_code,
                       "commit_sha": row.commit_sha, "client": (row.detail or {}).get("client"),
                       "message": (row.detail or {}).get("message"),
                       "request_id": row.request_id}  # fmt: skip


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


@dataclass
class Erased:
    user_id: int
    keys_revoked: int
    audit_rows: int
    sandboxes: int


def erase_person(call: Call, session: Session, email: str, delete_sandboxes: bool) -> Erased:
    """Revoke everything the person holds, drop their personal data, pseudonymize their
    audit rows, and archive (or delete) their sandboxes."""
    user = find_person(call, session, email, live=False)
    now = utc_now()
    keys = [k for k in store.list_api_keys(session, user.org_id) if k.user_id == user.id]
    for key in keys:
        key.revoked_at = key.revoked_at or now
        key.label = None
    store.revoke_oauth_tokens(session, user_id=user.id)
    store.revoke_console_sessions(session, user_id=user.id)
    seen_keys = {k.id for k in keys} | _acting_ids(session, user.id)
    store.forget_person_sign_ins(session, user.id, sorted(seen_keys))
    rows = store.erase_audit_personal_fields(session, user.id, now, PERSONAL_DETAIL)
    sandboxes = _set_aside(call, session, user.id, delete_sandboxes)
    user.email = f"erased-{user.id}@{ERASED_DOMAIN}"
    user.name = None
    user.password_hash = None
    user.removed_at = user.removed_at or now
    call.audit.detail.update(person_id=user.id, erased=True, audit_rows=rows)
    return Erased(user.id, len(keys), rows, sandboxes)


def _acting_ids(session: Session, user_id: int) -> set[str]:
    """Credential ids the person's calls ran as (sign-ins, console sessions): their
    idempotency records go too."""
    return {
        row.api_key_id
        for page in store.person_audit_pages(session, user_id)
        for row in page
        if row.api_key_id is not None
    }


def _set_aside(call: Call, session: Session, user_id: int, delete: bool) -> int:
    count = 0
    for sandbox in store.sandboxes_for_user(session, user_id):
        repo = call.services.git(sandbox.repository.path)
        revoke_sandbox_tokens(session, sandbox.id)
        try:
            if delete:
                repo.drop_branch(sandbox.branch)
            elif sandbox.status == "active":
                repo.archive_branch(sandbox.branch)
        except DraftroomError:
            pass  # a branch already gone: the record alone is set aside
        if sandbox.status == "active" or delete:
            sandbox.status = "archived"
        if delete:
            sandbox.created_for_user_id = None
            sandbox.project_name = None
        count += 1
    return count
