"""Admin tool: register a repository cloned from an upstream (the API twin of ``repo add --upstream``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call
from draftroom.domain.upstream import add_upstream_repository
from draftroom.tools.registry import registry


class AddInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100, description="The repository's name here.")
    upstream_url: str = Field(
        ..., min_length=1, max_length=4096, description="https, ssh or file URL."
    )
    credential: str | None = Field(None, max_length=100, description="A stored credential's name.")
    publish: Literal["push", "pull_request"] = Field(
        "push", description="What an approved merge does upstream."
    )
    github_api_url: str | None = Field(
        None, max_length=400, description="GitHub Enterprise API root."
    )


class AddOutput(BaseModel):
    name: str
    upstream_url: str
    main_branch: str = Field(description="The upstream's default branch, mirrored as main.")
    publish: str
    created: bool = True


@registry.tool(
    "admin.repos.add",
    summary="Register a repository cloned from an upstream",
    description=(
        "Clones the upstream bare and mirrors it: sandbox commits are pushed to it, its main "
        "is fetched. The credential is named, never sent."
    ),
    scope="admin",
    writes=True,
    created_status=201,
    http_path="/admin/repos",
)
def add(call: Call, body: AddInput) -> AddOutput:
    with call.services.database.session() as session:
        mirror = add_upstream_repository(
            call.services,
            session,
            call.principal.org_id,
            body.name,
            body.upstream_url,
            credential=body.credential,
            publish=body.publish,
            github_api_url=body.github_api_url,
        )
        call.audit.repo = body.name
        return AddOutput(
            name=body.name,
            upstream_url=mirror.url,
            main_branch=mirror.main_branch,
            publish=mirror.publish,
        )
