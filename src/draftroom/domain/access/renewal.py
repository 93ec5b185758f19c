"""What a reuse token's holder and an admin may do to it: renew it, revoke it, issue another.

Renewal takes the token itself (the holder proves it has the secret) and works until the
grace period after expiry ends; revocation takes only the public id and an admin key of the
token's own org; issuing (a lost token) takes the sandbox's repository and branch and an
admin key, or a signed-in person's own sandbox (the console). None ever logs the secret; only issuing returns one, once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access.owned import steers
from draftroom.domain.access.sandboxes import (
    SandboxAccess,
    archived_refusal,
    open_sandbox,
    repository_record,
)
from draftroom.domain.access.tokens import (
    issue_reuse_token,
    renew_reuse_token,
    revoke_reuse_token,
)
from draftroom.domain.calls import Call
from draftroom.errors import Conflict, NotFound, TokenRequired


def renew_sandbox_token(
    call: Call,
    session: Session,
    repo_name: str,
    reuse_token: str | None,
    branch: str | None = None,
) -> tuple[SandboxAccess, datetime]:
    """Extend a live or recently expired token by the token TTL; returns its new expiry."""
    if not reuse_token:
        raise TokenRequired(
            "pass the reuse_token to renew (a signed-in person's sandboxes need none)"
        )
    access = open_sandbox(call, session, repo_name, reuse_token, branch, renewing=True)
    ttl = timedelta(days=call.services.settings.token_ttl_days)
    token = renew_reuse_token(session, access.token_id, ttl)
    return access, token.expires_at


def revoke_org_token(call: Call, session: Session, token_id: str) -> store.ReuseToken:
    """Revoke a token of a sandbox in the caller's org (idempotent)."""
    token = store.get_reuse_token(session, token_id)
    sandbox = store.get_sandbox_by_id(session, token.sandbox_id) if token else None
    record = store.get_repository_by_id(session, sandbox.repository_id) if sandbox else None
    if record is None or record.org_id != call.principal.org_id:
        raise NotFound(
            f"no reuse token with id '{token_id}' in your org; the id is the part after "
            "'drt_' and before the next '_'",
            token_id=token_id,
        )
    assert sandbox is not None
    call.audit.repo, call.audit.branch, call.audit.token_id = record.name, sandbox.branch, token_id
    return revoke_reuse_token(session, token_id)


def issue_sandbox_token(
    call: Call, session: Session, repo_name: str, branch: str
) -> tuple[store.ReuseToken, str]:
    """A new reuse token for an existing sandbox (its plaintext returned once).

    For a person who lost theirs: the sandbox's other tokens stay valid until revoked. An
    archived sandbox is refused (its tokens would be refused too): restore it first.
    """
    record = repository_record(call, session, repo_name)
    sandbox = store.get_sandbox(session, record.id, branch)
    if sandbox is None or not steers(call.principal, sandbox):  # another's: as missing
        raise NotFound(
            f"no sandbox {branch!r} in repository {repo_name!r}; list them with sandbox.list",
            repo_name=repo_name,
            branch=branch,
        )
    call.audit.repo, call.audit.branch = record.name, sandbox.branch
    if sandbox.status == "archived":
        why = archived_refusal(session, sandbox).message.split("; ")[0]
        raise Conflict(
            f"{why}; a token for it would be refused. Restore it with sandbox.restore "
            f"(id {sandbox.id}) first, or start a new sandbox",
            sandbox_id=sandbox.id,
        )
    ttl = timedelta(days=call.services.settings.token_ttl_days)
    token, plaintext = issue_reuse_token(session, sandbox.id, ttl)
    call.audit.token_id = token.id
    return token, plaintext
