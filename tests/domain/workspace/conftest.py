"""Here tests work in a project sandbox: the workspace files exist from the start."""

from __future__ import annotations

import pytest

from tests.support.api import Api, start_project


@pytest.fixture
def project(api: Api) -> dict[str, str]:
    """repo_name, branch and reuse_token of a new project sandbox."""
    return start_project(api, goals=["Ship the importer"])
