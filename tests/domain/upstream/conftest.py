"""Here ``services`` is a data dir whose repository ``team`` mirrors the loopback git server."""

from __future__ import annotations

from pathlib import Path

import pytest

from draftroom.domain.calls.services import Services
from tests.support.gitserver import GitServer
from tests.support.upstream import mirrored


@pytest.fixture
def services(tmp_path: Path, git_server: GitServer) -> Services:
    return mirrored(tmp_path / "data", git_server)
