"""API-key tools: an admin creates (a service key or a person's), lists and revokes keys; a
key's plaintext is in the create answer once, never stored, never listed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.access import create_org_key, org_keys, revoke_org_key
from draftroom.domain.calls import Call
from draftroom.store import ApiKey
from draftroom.tools.declaration import tool


class CreateInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["agent", "admin"] | None = Field(
        None,
        description=(
            "agent (the default): sandbox tools; admin: everything. With user: omit it for a "
            "key acting with the person's role, or agent for sandbox tools only; admin is 400."
        ),
    )
    label: str | None = Field(None, max_length=200, description="A note on who holds it.")
    user: str | None = Field(
        None,
        max_length=320,
        description="Email of a person of your org: the key acts for them (404 if unknown).",
    )


class CreateOutput(BaseModel):
    id: str = Field(description="The key's public id (the part after 'drk_'), safe to log.")
    role: str
    label: str | None
    user: str | None = Field(None, description="The person it acts for; null: a service key.")
    key: str = Field(description="The key itself, shown once: it cannot be recovered later.")
    created: bool = True


@tool(
    "admin.keys.create",
    summary="Create an API key",
    description=(
        "An agent or admin key, or a key acting for a person of the org (user); the answer "
        "carries it once (never the audit log)."
    ),
    scope="admin",
    writes=True,
    created_status=201,
    http_path="/admin/keys",
)
def create(call: Call, sandbox: None, body: CreateInput) -> CreateOutput:
    with call.services.database.session() as session:
        key, plaintext = create_org_key(call, session, body.role, body.label, body.user)
        call.audit.detail.update(key_id=key.id, role=key.role)
        user = key.user.email if key.user else None
        return CreateOutput(id=key.id, role=key.role, label=key.label, user=user, key=plaintext)


class ListInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeyInfo(BaseModel):
    id: str = Field(description="The key's public id (the part after 'drk_').")
    role: str
    label: str | None
    user: str | None = Field(None, description="The person it acts for; null: a service key.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Last use, to the minute.")
    revoked_at: datetime | None


class ListOutput(BaseModel):
    keys: list[KeyInfo] = Field(description="The org's keys, revoked ones too, oldest first.")


@tool(
    "admin.keys.list",
    summary="List API keys",
    description="The org's API keys: id, role, label, when created, last used and revoked.",
    scope="admin",
    http_method="GET",
    http_path="/admin/keys",
)
def list_keys(call: Call, sandbox: None, body: ListInput) -> ListOutput:
    with call.services.database.session() as session:
        return ListOutput(keys=[_info(key) for key in org_keys(call, session)])


def _info(key: ApiKey) -> KeyInfo:
    return KeyInfo(
        id=key.id,
        role=key.role,
        label=key.label,
        user=key.user.email if key.user else None,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


class RevokeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(..., min_length=1, max_length=32, description="The key's public id.")


@tool(
    "admin.keys.revoke",
    summary="Revoke an API key",
    description=(
        "The key stops working at once (401 on its next call). The org's last admin key "
        "cannot be revoked (409): create another admin key first."
    ),
    scope="admin",
    writes=True,
    idempotent=True,
    http_path="/admin/keys/{id}/revoke",
)
def revoke(call: Call, sandbox: None, body: RevokeInput) -> KeyInfo:
    with call.services.database.session() as session:
        return _info(revoke_org_key(call, session, body.id))
