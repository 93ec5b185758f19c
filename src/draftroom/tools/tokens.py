"""Reuse-token tools: the holder renews its token; an admin revokes one."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.access import renew_sandbox_token, revoke_org_token
from draftroom.domain.calls import Call
from draftroom.tools.inputs import SandboxInput
from draftroom.tools.registry import tool


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
