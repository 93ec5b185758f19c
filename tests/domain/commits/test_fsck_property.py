"""Property: whatever an agent sends to /git/commit, the repository passes ``git fsck --strict``."""

from __future__ import annotations

import subprocess
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.api import AppFactory, start_sandbox

PIECES = [
    "a",
    "b.txt",
    "README.md",
    ".git",
    ".GIT",
    ".g\u200cit",
    ".git\u200d",
    "\ufeff",
    "\u200e",
    "\u202e",
    "\u206a",
    "git~1",
    "GIT~1",
    "::$INDEX_ALLOCATION",
    ":$DATA",
    ".gitmodules",
    "gitmod~1",
    "gi7eba~1",
    ".gitattributes",
    ".logs",
    "con",
    "AUX",
    "nul",
    "com1",
    "lpt9",
    ".txt",
    ".",
    "..",
    " ",
    ":",
    "~",
    "-evil",
    "é",
    "e\u0301",
    "*",
]
CONTENTS = [
    "x\n",
    "*.txt text\n",
    "*.bin " + "a" * 2100 + "\n",
    '[submodule "../../../../.git/hooks"]\n\tpath = -evil\n\turl = --upload-pack=touch x\n',
    "",
]

segments = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join)
paths = st.lists(segments, min_size=1, max_size=3).map("/".join)
changes = st.lists(
    st.fixed_dictionaries({"path": paths, "content": st.sampled_from(CONTENTS)}),
    min_size=1,
    max_size=3,
    unique_by=lambda change: change["path"],
)


def test_every_commit_an_agent_can_make_passes_git_fsck_strict(make_app: AppFactory) -> None:
    api, services = make_app(max_commits_per_minute=1_000_000)
    sb = start_sandbox(api)
    statuses: list[int] = []

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(changes)
    def commit(body: list[dict[str, Any]]) -> None:
        response = api.client.post(
            "/git/commit", json={**sb, "message": "m", "changes": body}, headers=api.headers
        )
        assert response.status_code in (200, 400, 403, 409, 413, 422), response.text
        statuses.append(response.status_code)

    commit()
    assert 200 in statuses and 400 in statuses
    gitdir = services.settings.repos_dir / "demo.git"
    fsck = subprocess.run(
        ["git", "-C", str(gitdir), "fsck", "--strict", "--no-dangling"],
        capture_output=True,
        text=True,
    )
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert "error" not in fsck.stderr and "warning" not in fsck.stderr, fsck.stderr
