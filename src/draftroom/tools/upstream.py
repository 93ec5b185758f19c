"""Admin tools for upstreams, the API twins of the CLI's ``repo add --upstream``, ``repo sync``,
``repo resolve`` and ``credential list``. Credentials are named here, never sent or returned.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call
from draftroom.domain.upstream import (
    add_upstream_repository,
    list_credentials,
    resolve_divergence,
    sync_repository,
)
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


class RepoNameInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100, description="The repository's name.")


class MainFetched(BaseModel):
    state: str = Field(description="synced, ahead (a merge not yet published) or diverged.")
    sha: str | None = Field(description="Local main's head after the fetch.")
    error: str | None = Field(description="Why the fetch failed (main left as it was).")


class BranchPushed(BaseModel):
    branch: str
    state: str = Field(description="synced, failed (retried later) or diverged.")
    sha: str | None
    error: str | None


class SyncOutput(BaseModel):
    repo_name: str
    main: MainFetched
    branches: list[BranchPushed] = Field(description="Every queued branch this call pushed.")
    pushed: int = Field(description="Branches now synced.")
    failed: int = Field(description="Branches not synced (failed or diverged).")


@registry.tool(
    "admin.repos.sync",
    summary="Fetch main and push queued branches now",
    description=(
        "Fetches the upstream's main (fast-forward only) and pushes every queued sandbox "
        "branch now, retry delays ignored; one result per branch."
    ),
    scope="admin",
    writes=True,
    http_path="/admin/repos/{name}/sync",
)
def sync(call: Call, body: RepoNameInput) -> SyncOutput:
    call.audit.repo = body.name
    report = sync_repository(call.services, call.principal.org_id, body.name)
    fetched = report.fetch
    branches = [
        BranchPushed(branch=p.branch, state=p.state, sha=p.sha, error=p.error)
        for p in report.pushes
    ]
    pushed = sum(b.state == "synced" for b in branches)
    return SyncOutput(
        repo_name=body.name,
        main=MainFetched(state=fetched.main_state, sha=fetched.main, error=fetched.error),
        branches=branches,
        pushed=pushed,
        failed=len(branches) - pushed,
    )


class ResolveInput(RepoNameInput):
    branch: str = Field(..., min_length=1, max_length=255, description="A diverged branch.")
    keep: Literal["theirs", "ours"] = Field(
        ...,
        description="theirs: move ours to the upstream's; ours: force-push ours over theirs.",
    )


class ResolveOutput(BaseModel):
    repo_name: str
    branch: str
    keep: str
    head: str = Field(description="Where the branch now is, locally and upstream.")
    replaced: str = Field(description="The head given up, kept at replaced_ref.")
    replaced_ref: str


@registry.tool(
    "admin.repos.resolve",
    summary="Settle a diverged branch or main",
    description=(
        "keep 'theirs' takes the upstream's branch; 'ours' force-pushes ours (on main: "
        "overwrites the upstream's default branch). The side given up is kept under a ref."
    ),
    scope="admin",
    consequential=True,
    writes=True,
    http_path="/admin/repos/{name}/resolve",
)
def resolve(call: Call, body: ResolveInput) -> ResolveOutput:
    call.audit.repo, call.audit.branch = body.name, body.branch
    call.audit.detail["keep"] = body.keep
    done = resolve_divergence(
        call.services,
        call.principal.org_id,
        body.name,
        body.branch,
        "adopt_theirs" if body.keep == "theirs" else "force_ours",
        actor=call.principal.api_key_id,
        request_id=call.request_id,
    )
    call.audit.commit_sha = done.head
    return ResolveOutput(
        repo_name=body.name,
        branch=body.branch,
        keep=body.keep,
        head=done.head,
        replaced=done.replaced,
        replaced_ref=done.replaced_ref,
    )


class CredentialsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CredentialOut(BaseModel):
    name: str
    kind: str = Field(description="token or github_app.")
    created_at: datetime
    used_by: list[str] = Field(description="Repositories whose upstream uses it.")


class CredentialsOutput(BaseModel):
    credentials: list[CredentialOut]


@registry.tool(
    "admin.credentials.list",
    summary="List upstream credentials",
    description="Names, kinds, creation times and the repositories using each; never a secret.",
    scope="admin",
    http_method="GET",
    http_path="/admin/credentials",
)
def list_stored_credentials(call: Call, body: CredentialsInput) -> CredentialsOutput:
    with call.services.database.session() as session:
        found = list_credentials(session, call.principal.org_id)
    return CredentialsOutput(
        credentials=[CredentialOut.model_validate(asdict(item)) for item in found]
    )
