"""Helpers for the workspace tests: commit to a sandbox branch directly, as a person would."""

from __future__ import annotations

from draftroom.domain.calls import Services
from draftroom.git import Change, Repository


def repo_of(services: Services) -> Repository:
    return services.git(services.settings.repos_dir / "demo.git")


def commit_by_hand(services: Services, branch: str, path: str, data: bytes) -> str:
    """A commit made outside draftroom's tools (a person's push), returning its sha."""
    result = repo_of(services).commit_changes(branch, [Change(path, data)], message="Edit by hand")
    return result.sha


def file_at(services: Services, branch: str, path: str) -> bytes:
    repo = repo_of(services)
    return repo.read_file(repo.head(branch), path).data
