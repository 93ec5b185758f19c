"""Local mode: one person's own repository, one sandbox, driven by a local process (stdio MCP).

The local MCP server acts as an agent (``agent_principal``), the person's CLI as the owner,
an admin (``owner_principal``): only the person approves a merge into ``main``.

The data dir defaults to ``<gitdir>/draftroom`` (inside ``.git``, next to the engine's lock
files) so nothing appears in the working tree. The repository is registered under a name
derived from its directory; the sandbox's reuse token is kept in that data dir (mode 0600) so
the next run resumes the same branch. Like every sandbox, it only ever adds objects and moves
its own ``sandbox-…`` ref: never the working tree, the index, or the checked-out branch. The
person reviews and merges it with plain git.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import (
    BASE_BRANCH,
    issue_api_key,
    issue_reuse_token,
    verify_reuse_token,
)
from draftroom.domain.calls import Principal, Services
from draftroom.domain.repos.repositories import register_repository
from draftroom.errors import NotFound, RefNotFound, Unauthorized
from draftroom.git import Repository

OWNER_KEY_LABEL = "local owner"
"""Label of the admin key the CLI acts as; its secret is never shown to anyone."""
AGENT_KEY_LABEL = "local agent"
"""Label of the agent key a local MCP server acts as; its secret is never shown to anyone."""
SANDBOX_FILE = "local-sandbox.json"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class LocalSandbox:
    """The sandbox a local process works in; ``reuse_token`` is plaintext, kept on disk 0600."""

    repo_name: str
    branch: str
    reuse_token: str


def local_data_dir(repo_path: Path) -> Path:
    """``<gitdir>/draftroom``: inside the git directory, so the working tree stays untouched."""
    return Repository.open(repo_path).path / "draftroom"


def owner_principal(services: Services, org: str | None = None) -> Principal:
    """The admin principal of the data dir's owner in ``org`` (default: the data dir's own
    org, created on first use), for the commands they type (the CLI).

    Backed by an admin key labelled ``OWNER_KEY_LABEL`` whose plaintext is thrown away at
    creation: it names the owner in audit rows and cannot be used over HTTP by anyone.
    """
    return _local_principal(services, OWNER_KEY_LABEL, "admin", org)


def agent_principal(services: Services) -> Principal:
    """The agent principal a local MCP server (``draftroom mcp``) serves its client as.

    An agent never holds admin scope, even in a process the owner started: it could
    otherwise approve its own merge. Backed by an agent key labelled ``AGENT_KEY_LABEL``
    whose plaintext, like the owner's, is never kept.
    """
    return _local_principal(services, AGENT_KEY_LABEL, "agent")


def _local_principal(
    services: Services, label: str, role: store.Role, slug: str | None = None
) -> Principal:
    with services.database.session() as session:
        org = _org(session, services.settings.org if slug is None else slug, services)
        key = next(
            (
                k
                for k in store.list_api_keys(session, org.id)
                if k.label == label and k.role == role and k.revoked_at is None
            ),
            None,
        )
        if key is None:
            key, _ = issue_api_key(session, org.id, role, label=label)
        return Principal(api_key_id=key.id, org_id=org.id, role=key.role)


def _org(session: Session, slug: str, services: Services) -> store.Org:
    """The org ``slug``; only the data dir's own org is created on first use."""
    if slug == services.settings.org:
        return store.get_or_create_org(session, slug)
    org = store.get_org(session, slug)
    if org is None:
        raise NotFound(f"no org named {slug!r}; create it with 'draftroom org add {slug}'")
    return org


def repository_name(path: Path) -> str:
    """A registrable name for the repository at ``path``, from its directory's name."""
    resolved = path.resolve()
    base = resolved.parent.name if resolved.name == ".git" else resolved.name
    base = base.removesuffix(".git")
    name = _UNSAFE.sub("-", base).lstrip("._-")[:90].rstrip(".")
    return name or "repo"


def register_local_repository(services: Services, session: Session, org_id: int, path: Path) -> str:
    """The name the repository at ``path`` is registered under, registering it on first use."""
    gitdir = Repository.open(path).path
    for record in store.list_repositories(session, org_id):
        if Path(record.path) == gitdir:
            return record.name
    base = repository_name(path)
    name, n = base, 1
    while store.get_repository(session, org_id, name) is not None:
        n += 1
        name = f"{base}-{n}"
    return register_repository(services, session, org_id, name, path=gitdir).name


StartSandbox = Callable[[str], tuple[str, str]]
"""Starts a new sandbox of the named repository as a tool call; answers (branch, reuse token)."""


def open_local_sandbox(
    services: Services, principal: Principal, repo_path: Path, start: StartSandbox
) -> LocalSandbox:
    """The sandbox saved in the data dir, or a new one from ``main`` (saved for next time).

    A saved sandbox whose token has expired or been revoked gets a fresh token for the same
    branch: the owner is the one asking. One that is gone, archived or merged is replaced by
    ``start`` (the adapter's ``sandbox.init`` call, audited by the registry as any other).
    """
    saved_file = services.settings.data_dir / SANDBOX_FILE
    saved = _load(saved_file)
    with services.database.session() as session:
        name = register_local_repository(services, session, principal.org_id, repo_path)
    with services.database.session() as session:
        record = store.get_repository(session, principal.org_id, name)
        assert record is not None
        repo = services.git(record.path)
        sandbox = (
            store.get_sandbox(session, record.id, saved.branch)
            if saved is not None and saved.repo_name == name
            else None
        )
        if (
            saved is not None
            and sandbox is not None
            and sandbox.status == "active"
            and repo.branch_exists(sandbox.branch)
        ):
            try:
                verify_reuse_token(session, saved.reuse_token)
                return saved
            except Unauthorized:
                ttl = timedelta(days=services.settings.token_ttl_days)
                _, token = issue_reuse_token(
                    session, sandbox.id, ttl, api_key_id=principal.api_key_id
                )
                renewed = LocalSandbox(name, sandbox.branch, token)
                _save(saved_file, renewed)
                return renewed
    if not repo.branch_exists(BASE_BRANCH):
        raise RefNotFound(
            f"local mode starts sandboxes from {BASE_BRANCH!r}, and {repo_path} has no "
            f"{BASE_BRANCH!r} branch; create it (git branch {BASE_BRANCH}) and run again"
        )
    branch, token = start(name)
    local = LocalSandbox(name, branch, token)
    _save(saved_file, local)
    return local


def _load(path: Path) -> LocalSandbox | None:
    try:
        data = json.loads(path.read_text())
        return LocalSandbox(str(data["repo_name"]), str(data["branch"]), str(data["reuse_token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(path: Path, sandbox: LocalSandbox) -> None:
    """Write atomically with mode 0600: the file holds a plaintext reuse token."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(sandbox), handle)
    os.replace(temporary, path)
