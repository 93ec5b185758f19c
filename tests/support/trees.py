"""A sandbox branch straight through the engine: its trees, and commits made by hand."""

from __future__ import annotations

from draftroom.domain.calls.services import Services
from draftroom.git import Change, Repository
from tests.support.api import REPO


def repo_of(services: Services, repo: str = REPO) -> Repository:
    return services.git(services.settings.repos_dir / f"{repo}.git")


def files(services: Services, ref: str, *, logs: bool = False) -> dict[str, str]:
    """path -> blob oid of every file at ``ref``; ``.logs/`` left out unless asked for."""
    entries = repo_of(services).list_tree(ref, recursive=True, limit=1000).entries
    return {
        e.path: e.oid
        for e in entries
        if e.type != "dir" and (logs or not e.path.startswith(".logs/"))
    }


def logs(services: Services, ref: str) -> dict[str, str]:
    return {p: oid for p, oid in files(services, ref, logs=True).items() if p.startswith(".logs/")}


def commit_by_hand(services: Services, branch: str, path: str, data: bytes) -> str:
    """A commit made outside draftroom's tools (a person's push), returning its sha."""
    result = repo_of(services).commit_changes(branch, [Change(path, data)], message="Edit by hand")
    return result.sha


def file_at(services: Services, branch: str, path: str) -> bytes:
    repo = repo_of(services)
    return repo.read_file(repo.head(branch), path).data
