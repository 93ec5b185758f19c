"""Org tools: the data dir's operator adds, lists, exports and deletes orgs.

They act on every org and name server paths, so they are ``local_only`` (no HTTP route, no
MCP tool: the server's own command line, ``draftroom org``) and need an admin of the data
dir's own org (``domain.orgs.require_operator``).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call
from draftroom.domain.orgs import OrgInfo, add_org, delete_org, export_org, list_orgs
from draftroom.tools.declaration import tool

SLUG_FIELD = Field(..., min_length=1, max_length=200, description="The org's slug, e.g. acme-ml.")


class OrgOut(BaseModel):
    slug: str
    name: str | None = Field(description="Its display name, e.g. 'Acme ML'.")
    created_at: datetime
    repositories: int
    people: int = Field(description="Its people, removed ones too.")
    keys: int = Field(description="Its API keys, revoked ones too.")


def _out(info: OrgInfo) -> OrgOut:
    return OrgOut.model_validate(asdict(info))


class AddInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(
        ..., min_length=1, max_length=200, description="^[a-z0-9][a-z0-9-]{1,38}$, e.g. acme-ml."
    )
    name: str | None = Field(None, max_length=200, description="A display name, e.g. 'Acme ML'.")


class AddOutput(OrgOut):
    created: bool = True


@tool(
    "admin.orgs.add",
    summary="Add an org",
    description="A new, empty org: its repositories will live under DATA_DIR/orgs/SLUG/.",
    scope="admin",
    writes=True,
    created_status=201,
    http_path="/admin/orgs",
    local_only=True,
)
def add(call: Call, sandbox: None, body: AddInput) -> AddOutput:
    return AddOutput.model_validate(asdict(add_org(call, body.slug, body.name)))


class ListInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListOutput(BaseModel):
    orgs: list[OrgOut] = Field(description="Every org on this server, by slug.")


@tool(
    "admin.orgs.list",
    summary="List orgs",
    description="Every org: slug, name, when created, how many repositories, people and keys.",
    scope="admin",
    http_method="GET",
    http_path="/admin/orgs",
    local_only=True,
)
def list_all(call: Call, sandbox: None, body: ListInput) -> ListOutput:
    return ListOutput(orgs=[_out(info) for info in list_orgs(call)])


class ExportInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = SLUG_FIELD
    dir: str = Field(
        ..., min_length=1, max_length=4096, description="A new or empty directory on the server."
    )


class ExportOutput(BaseModel):
    slug: str
    dir: str = Field(description="Where it was written (absolute).")
    bundles: list[str] = Field(description="Repositories bundled, as repositories/NAME.bundle.")
    rows: dict[str, int] = Field(description="Rows of each table in org.json.")


@tool(
    "admin.orgs.export",
    summary="Export an org",
    description=(
        "Writes DIR/repositories/NAME.bundle (every ref of each repository, verified) and "
        "DIR/org.json (the org's rows; never a hash or ciphertext). DIR must be new or empty."
    ),
    scope="admin",
    http_path="/admin/orgs/{slug}/export",
    local_only=True,
)
def export(call: Call, sandbox: None, body: ExportInput) -> ExportOutput:
    done = export_org(call, body.slug, Path(body.dir))
    return ExportOutput(slug=done.slug, dir=done.directory, bundles=done.bundles, rows=done.rows)


class DeleteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = SLUG_FIELD


class DeleteOutput(BaseModel):
    slug: str
    deleted: bool = True
    repositories: list[str] = Field(description="Repositories removed with DATA_DIR/orgs/SLUG/.")
    left_in_place: list[str] = Field(
        description="Git directories registered elsewhere (--path): not removed."
    )


@tool(
    "admin.orgs.delete",
    summary="Delete an org",
    description=(
        "Removes every row of the org (keys stop working at once) and DATA_DIR/orgs/SLUG/; "
        "repositories registered with --path elsewhere are left in place."
    ),
    scope="admin",
    writes=True,
    consequential=True,
    http_path="/admin/orgs/{slug}/delete",
    local_only=True,
)
def delete(call: Call, sandbox: None, body: DeleteInput) -> DeleteOutput:
    done = delete_org(call, body.slug)
    return DeleteOutput(
        slug=done.slug, repositories=done.repositories, left_in_place=done.left_in_place
    )
