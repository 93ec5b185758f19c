"""OAuth client tools: the server's owner adds a confidential client (a Custom GPT's
sign-in) or revokes a client, at the server's command line only. The secret is in the add
answer once, stored hashed, never audited."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call
from draftroom.domain.signin import add_client, revoke_client
from draftroom.tools.declaration import tool


class AddInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200, description="Shown on the sign-in page.")
    redirect_uris: list[str] = Field(
        ..., min_length=1, max_length=10, description="Exact callback URLs (https)."
    )


class AddOutput(BaseModel):
    client_id: str
    client_secret: str = Field(description="Shown once: it cannot be recovered later.")
    name: str
    redirect_uris: list[str]
    created: bool = True


@tool(
    "admin.oauth_clients.add",
    summary="Add an OAuth client",
    description=(
        "A confidential client for the caller's org (a Custom GPT's sign-in): its id and "
        "secret, the secret shown once."
    ),
    scope="admin",
    writes=True,
    created_status=201,
    local_only=True,
)
def add(call: Call, sandbox: None, body: AddInput) -> AddOutput:
    with call.services.database.session() as session:
        issued = add_client(
            session,
            body.name,
            body.redirect_uris,
            confidential=True,
            org_id=call.principal.org_id,
        )
        client = issued.client
        call.audit.detail.update(client_id=client.id)
        assert issued.secret is not None
        return AddOutput(
            client_id=client.id,
            client_secret=issued.secret,
            name=client.name,
            redirect_uris=client.redirect_uris,
        )


class RevokeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(..., min_length=1, max_length=32)


class RevokeOutput(BaseModel):
    client_id: str
    revoked_at: datetime


@tool(
    "admin.oauth_clients.revoke",
    summary="Revoke an OAuth client",
    description="Its sign-ins stop at once: every token issued to it is revoked.",
    scope="admin",
    writes=True,
    idempotent=True,
    local_only=True,
)
def revoke(call: Call, sandbox: None, body: RevokeInput) -> RevokeOutput:
    with call.services.database.session() as session:
        client = revoke_client(session, body.client_id, call.principal.org_id)
        call.audit.detail.update(client_id=client.id)
        assert client.revoked_at is not None
        return RevokeOutput(client_id=client.id, revoked_at=client.revoked_at)
