"""Registering a repository from the server's own disk: a new bare one, or an existing one.

Naming a server path is for the data dir's owner only, so the tool is ``local_only``: it has
no HTTP route and is refused on every transport but the command line.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call
from draftroom.domain.repos import register_repository
from draftroom.tools.declaration import tool


class RegisterInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100, description="The repository's name here.")
    path: str | None = Field(
        None,
        min_length=1,
        max_length=4096,
        description="An existing git repository on the server; omit to create a new bare one.",
    )


class RegisterOutput(BaseModel):
    name: str
    path: str = Field(description="Its git directory on the server.")
    created: bool = True


@tool(
    "admin.repos.register",
    summary="Register a repository on the server's disk",
    description=(
        "Without path: creates a new bare repository in the data dir. With path: registers "
        "that existing repository (only its git directory is ever written)."
    ),
    scope="admin",
    writes=True,
    created_status=201,
    http_path="/admin/repos/register",
    local_only=True,
)
def register(call: Call, sandbox: None, body: RegisterInput) -> RegisterOutput:
    call.audit.repo = body.name
    path = None if body.path is None else Path(body.path)
    record = register_repository(
        call.services, call.session, call.principal.org_id, body.name, path=path
    )
    return RegisterOutput(name=record.name, path=record.path)
