"""A registered repository's settings: ``admin.repos.set``.

The repository is named in the body, not the path, so ``SLUG/NAME`` needs no escaping.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call
from draftroom.domain.repos import set_repository
from draftroom.tools.declaration import tool


class SetInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200, description="NAME or SLUG/NAME.")
    require_other_reviewer: bool = Field(
        ...,
        description="Refuse (403 self_approval) an approval by the person who asked for the merge.",
    )


class RepoSettings(BaseModel):
    name: str
    require_other_reviewer: bool


@tool(
    "admin.repos.set",
    summary="Change a repository's settings",
    description=(
        "require_other_reviewer: an approval by whoever asked for the merge (the same person, "
        "or the same service key) is refused with 403 self_approval; rejecting stays allowed."
    ),
    scope="admin",
    writes=True,
    idempotent=True,
    http_path="/admin/repos/settings",
)
def set_settings(call: Call, sandbox: None, body: SetInput) -> RepoSettings:
    record = set_repository(call, body.name, require_other_reviewer=body.require_other_reviewer)
    return RepoSettings(name=record.name, require_other_reviewer=record.require_other_reviewer)
