"""A signed-in person's own sandboxes: opened by branch, without a reuse token.

The sandbox must have been started for that person (``created_for_user_id``); any other
(another person's, a key's) answers exactly as a missing one, so nobody learns another
person's branches. Reuse tokens keep working as before, for everyone.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access.roles import holds
from draftroom.domain.access.sandboxes import (
    SandboxAccess,
    open_sandbox,
    opened,
    repository_record,
)
from draftroom.domain.calls import Call, Principal
from draftroom.errors import NotFound, TokenRequired
from draftroom.store import SandboxStatus


def open_own_sandbox(
    call: Call, session: Session, repo_name: str, branch: str | None, *, read_archived: bool
) -> SandboxAccess:
    """The person's sandbox ``branch`` (None: their most recent active one) in ``repo_name``.

    Its ``token_id`` is the sign-in's id (``oauth:<family>``): what audit rows, commit
    trailers and the per-minute commit limit name in place of a reuse token.
    """
    principal = call.principal
    if not principal.signed_in or principal.user_id is None:
        raise TokenRequired("pass the reuse_token sandbox.init returned")
    record = repository_record(call, session, repo_name)
    status: SandboxStatus | None = None if branch else "active"
    found = store.sandboxes_for_user(session, principal.user_id, record.id, status, branch)
    if not found:
        which = f"sandbox {branch!r}" if branch else "active sandbox"
        raise NotFound(
            f"you have no {which} in {repo_name!r}; see yours with sandbox.list, or start "
            "one with sandbox.init"
        )
    return opened(
        call, session, record, found[0], principal.api_key_id, read_archived, refuse_merged=True
    )


def latest_own_sandbox(call: Call, session: Session, repo_name: str) -> SandboxAccess | None:
    """The person's most recent active sandbox in ``repo_name``, or None."""
    try:
        return open_own_sandbox(call, session, repo_name, None, read_archived=False)
    except NotFound as exc:
        if type(exc) is NotFound:
            return None
        raise


def open_callers_sandbox(
    call: Call,
    session: Session,
    repo_name: str,
    reuse_token: str | None,
    branch: str | None,
    *,
    read_archived: bool = False,
) -> SandboxAccess:
    """What every sandbox tool opens: the reuse token's sandbox when one is given, else
    (a signed-in person only) their own sandbox ``branch``."""
    if reuse_token:
        return open_sandbox(
            call, session, repo_name, reuse_token, branch, read_archived=read_archived
        )
    return open_own_sandbox(call, session, repo_name, branch, read_archived=read_archived)


def steers(principal: Principal, sandbox: store.Sandbox) -> bool:
    """Whether ``principal`` may archive, restore or issue a reuse token for ``sandbox`` (of
    their org): an admin scope any, a signed-in person (the console) their own."""
    if holds(principal, "admin"):
        return True
    own = principal.user_id is not None and sandbox.created_for_user_id == principal.user_id
    return principal.signed_in and own
