"""Reuse-token tools: the holder renews its token; an admin revokes one or issues a new one."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.access import issue_sandbox_token, renew_sandbox_token, revoke_org_token
from draftroom.domain.calls import Call
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import SandboxInput


class RenewInput(SandboxInput):
    """The sandbox whose reuse token to renew (a model of its own: writing tools' inputs
    gain ``idempotency_key``, the reading tools' ``SandboxInput`` does not)."""


class RenewOutput(BaseModel):
    repo_name: str
    branch: str
    expires_at: datetime = Field(description="The token now works until then (UTC).")


@tool(
    "sandbox.renew",
    summary="Renew your reuse token",
    description=(
        "Extends your reuse token's lifetime; also works for a few days after it expired "
        "(token_expired says until when). The token itself stays the same."
    ),
    writes=True,
)
def renew(call: Call, sandbox: None, body: RenewInput) -> RenewOutput:
    with call.services.database.session() as session:
        access, expires_at = renew_sandbox_token(
            call, session, body.repo_name, body.reuse_token, body.branch
        )
    return RenewOutput(repo_name=access.repo_name, branch=access.branch, expires_at=expires_at)


class RevokeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token_id: str = Field(
        ..., min_length=1, max_length=32, description="The id part of drt_<id>_<secret>."
    )


class RevokeOutput(BaseModel):
    token_id: str
    revoked_at: datetime


@tool(
    "admin.tokens.revoke",
    summary="Revoke a reuse token",
    description="The token stops working at once (token_revoked); its sandbox stays as it is.",
    scope="admin",
    writes=True,
    idempotent=True,
)
def revoke(call: Call, sandbox: None, body: RevokeInput) -> RevokeOutput:
    with call.services.database.session() as session:
        token = revoke_org_token(call, session, body.token_id)
        assert token.revoked_at is not None
        return RevokeOutput(token_id=token.id, revoked_at=token.revoked_at)


class IssueInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repo_name: str = Field(..., min_length=1, max_length=200, description="Repository name.")
    branch: str = Field(
        ..., min_length=1, max_length=250, description="The sandbox's branch (see sandbox.list)."
    )


class IssueOutput(BaseModel):
    repo_name: str
    branch: str
    token_id: str = Field(description="The new token's id (the part after 'drt_'), safe to log.")
    reuse_token: str = Field(description="Shown once: it cannot be recovered later.")
    expires_at: datetime
    created: bool = True


@tool(
    "admin.tokens.issue",
    summary="Issue a new reuse token for a sandbox",
    description=(
        "For a lost token: a new reuse token for the existing sandbox, in the answer once "
        "(never the audit log). Its other tokens stay valid until revoked; an archived "
        "sandbox is refused (409): restore it first. Signed in: your own sandboxes."
    ),
    scope="admin",
    person_scope="sandbox",
    writes=True,
    created_status=201,
)
def issue(call: Call, sandbox: None, body: IssueInput) -> IssueOutput:
    token, plaintext = issue_sandbox_token(call, call.session, body.repo_name, body.branch)
    return IssueOutput(
        repo_name=body.repo_name,
        branch=body.branch,
        token_id=token.id,
        reuse_token=plaintext,
        expires_at=token.expires_at,
    )
