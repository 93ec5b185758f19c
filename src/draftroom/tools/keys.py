"""API-key tools: an admin creates a key; its plaintext is in the answer once, never stored."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.access import issue_api_key
from draftroom.domain.calls import Call
from draftroom.tools.registry import tool


class CreateInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["agent", "admin"] = Field(
        "agent", description="agent: sandbox tools; admin: everything."
    )
    label: str | None = Field(None, max_length=200, description="A note on who holds it.")


class CreateOutput(BaseModel):
    id: str = Field(description="The key's public id (the part after 'drk_'), safe to log.")
    role: str
    label: str | None
    key: str = Field(description="The key itself, shown once: it cannot be recovered later.")
    created: bool = True


@tool(
    "admin.keys.create",
    summary="Create an API key",
    description="An agent or admin key; the answer carries it once (never the audit log).",
    scope="admin",
    writes=True,
    created_status=201,
    http_path="/admin/keys",
)
def create(call: Call, sandbox: None, body: CreateInput) -> CreateOutput:
    with call.services.database.session() as session:
        key, plaintext = issue_api_key(session, call.principal.org_id, body.role, body.label)
        call.audit.detail.update(key_id=key.id, role=key.role)
        return CreateOutput(id=key.id, role=key.role, label=key.label, key=plaintext)
