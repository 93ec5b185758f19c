"""The HTTP fixtures of tests/adapters, plus a project sandbox to work in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.conftest import Api, api, client, services

__all__ = ["api", "client", "project", "services"]

REPO = "demo"


def start_project(api: Api, **extra: Any) -> dict[str, str]:
    out = api.post(
        "/sandbox/init", expect=201, repo_name=REPO, mode="project", project_name="Atlas", **extra
    )
    return {"repo_name": REPO, "branch": out["branch"], "reuse_token": out["reuse_token"]}


@pytest.fixture
def project(api: Api) -> dict[str, str]:
    """repo_name, branch and reuse_token of a new project sandbox."""
    return start_project(api, goals=["Ship the importer"])
