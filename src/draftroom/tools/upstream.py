"""Admin tools for upstreams, run by the CLI's ``repo add --upstream``, ``repo sync``,
``repo resolve`` and ``credential add|list|remove``. A credential's secret is sent once, to
``admin.credentials.add*``, as a ``SecretStr``: never returned, echoed in an error or audited.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from draftroom.domain.calls import Call
from draftroom.domain.human_changes import record_human_changes
from draftroom.domain.upstream import (
    PushOutcome,
    add_github_app_credential,
    add_token_credential,
    add_upstream_repository,
    list_credentials,
    remove_credential,
    resolve_divergence,
    sync_repository,
)
from draftroom.tools.declaration import tool


class AddInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100, description="The repository's name here.")
    upstream_url: str = Field(
        ...,
        min_length=1,
        max_length=4096,
        description="https or ssh URL on a public host (file:// and private hosts: only with "
        "DRAFTROOM_ALLOW_PRIVATE_URLS).",
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


@tool(
    "admin.repos.add",
    summary="Register a repository cloned from an upstream",
    description=(
        "Clones the upstream bare and mirrors it: sandbox commits are pushed to it, its main "
        "is fetched. The credential is named, never sent."
    ),
    scope="admin",
    writes=True,
    idempotent=True,
    created_status=201,
    http_path="/admin/repos",
)
def add(call: Call, sandbox: None, body: AddInput) -> AddOutput:
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


@tool(
    "admin.repos.sync",
    summary="Fetch main and push queued branches now",
    description=(
        "Fetches the upstream's main (fast-forward only), tells sandboxes what people changed "
        "there, and pushes every queued sandbox branch now; one result per branch."
    ),
    scope="admin",
    writes=True,
    idempotent=True,
    http_path="/admin/repos/{name}/sync",
)
def sync(call: Call, sandbox: None, body: RepoNameInput) -> SyncOutput:
    call.audit.repo = body.name
    pushes: list[str] = []

    def on_push(outcome: PushOutcome) -> None:
        pushes.append(outcome.branch)
        call.report(len(pushes), None, f"{outcome.branch}: {outcome.state}")

    call.report(0, None, f"fetching main of {body.name}")
    report = sync_repository(call.services, call.principal.org_id, body.name, progress=on_push)
    if report.repository_id is not None:
        record_human_changes(call.services, report.repository_id)
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


@tool(
    "admin.repos.resolve",
    summary="Settle a diverged branch or main",
    description=(
        "keep 'theirs' takes the upstream's branch; 'ours' force-pushes ours (on main: "
        "overwrites the upstream's default branch). The side given up is kept under a ref."
    ),
    scope="admin",
    consequential=True,
    writes=True,
    idempotent=True,
    http_path="/admin/repos/{name}/resolve",
)
def resolve(call: Call, sandbox: None, body: ResolveInput) -> ResolveOutput:
    call.audit.repo, call.audit.branch = body.name, body.branch
    call.audit.detail["keep"] = body.keep
    done = resolve_divergence(
        call.services,
        call.principal.org_id,
        body.name,
        body.branch,
        "adopt_theirs" if body.keep == "theirs" else "force_ours",
    )
    call.audit.commit_sha = done.head
    call.audit.detail.update(choice=done.choice, replaced=done.replaced)
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
    host: str | None = Field(description="A token's one host (None: not bound yet).")
    created_at: datetime
    used_by: list[str] = Field(description="Repositories whose upstream uses it.")


class CredentialsOutput(BaseModel):
    credentials: list[CredentialOut]


@tool(
    "admin.credentials.list",
    summary="List upstream credentials",
    description="Names, kinds, creation times and the repositories using each; never a secret.",
    scope="admin",
    http_method="GET",
    http_path="/admin/credentials",
)
def list_stored_credentials(call: Call, sandbox: None, body: CredentialsInput) -> CredentialsOutput:
    with call.services.database.session() as session:
        found = list_credentials(session, call.principal.org_id)
    return CredentialsOutput(
        credentials=[CredentialOut.model_validate(asdict(item)) for item in found]
    )


class CredentialAddInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100, description="The name repos refer to.")
    token: SecretStr = Field(
        ..., min_length=1, max_length=4096, description="A personal access token (or password)."
    )
    username: str | None = Field(
        None, max_length=200, description="https username sent with it (default x-access-token)."
    )
    host: str | None = Field(
        None,
        min_length=1,
        max_length=253,
        description="The only host it is ever sent to; default: its first repository's host.",
    )


class CredentialAddOutput(BaseModel):
    name: str
    kind: str = Field(description="token or github_app.")
    created: bool = True


@tool(
    "admin.credentials.add",
    summary="Store an upstream token",
    description=(
        "A personal access token, stored encrypted with DRAFTROOM_SECRET_KEY; never returned "
        "or audited. Repositories name it as their credential."
    ),
    scope="admin",
    writes=True,
    created_status=201,
    http_path="/admin/credentials",
)
def add_credential(call: Call, sandbox: None, body: CredentialAddInput) -> CredentialAddOutput:
    call.audit.detail.update(credential=body.name, kind="token")
    with call.services.database.session() as session:
        add_token_credential(
            call.services.settings,
            session,
            call.principal.org_id,
            body.name,
            body.token.get_secret_value(),
            body.username,
            body.host,
        )
    return CredentialAddOutput(name=body.name, kind="token")


class GitHubAppAddInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100, description="The name repos refer to.")
    app_id: str = Field(..., min_length=1, max_length=20, description="The GitHub App's id.")
    private_key: SecretStr = Field(
        ..., min_length=1, max_length=20_000, description="The App's PEM private key."
    )
    installation_id: str | None = Field(
        None, max_length=20, description="Default: looked up per repository."
    )


@tool(
    "admin.credentials.add_github_app",
    summary="Store a GitHub App credential",
    description=(
        "A GitHub App's id and private key, stored encrypted with DRAFTROOM_SECRET_KEY; the "
        "key is never returned or audited."
    ),
    scope="admin",
    writes=True,
    created_status=201,
    http_path="/admin/credentials/github_app",
)
def add_github_app(call: Call, sandbox: None, body: GitHubAppAddInput) -> CredentialAddOutput:
    call.audit.detail.update(credential=body.name, kind="github_app")
    with call.services.database.session() as session:
        add_github_app_credential(
            call.services.settings,
            session,
            call.principal.org_id,
            body.name,
            body.app_id,
            body.private_key.get_secret_value(),
            body.installation_id,
        )
    return CredentialAddOutput(name=body.name, kind="github_app")


class CredentialNameInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100, description="The credential's name.")


class CredentialRemoveOutput(BaseModel):
    name: str
    removed: bool = True


@tool(
    "admin.credentials.remove",
    summary="Remove an upstream credential",
    description="Deletes it; refused (409) while a repository uses it.",
    scope="admin",
    consequential=True,
    writes=True,
    http_path="/admin/credentials/{name}/remove",
)
def remove_stored_credential(
    call: Call, sandbox: None, body: CredentialNameInput
) -> CredentialRemoveOutput:
    call.audit.detail["credential"] = body.name
    with call.services.database.session() as session:
        remove_credential(session, call.principal.org_id, body.name)
    return CredentialRemoveOutput(name=body.name)
