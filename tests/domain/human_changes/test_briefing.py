"""What an assistant sees of people's changes: ``context.resume`` opens with them and
``sandbox.status`` lists the files both sides changed (``main_overlap``)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from draftroom.adapters.http import create_app
from draftroom.domain.human_changes import record_human_changes
from draftroom.domain.upstream import fetch_main
from tests.support.api import Api, new_key, start_sandbox
from tests.support.gitserver import GitServer
from tests.support.upstream import REPO, mirrored, repository_id
from tests.support.webhooks import person_pushes_main

OPENING = "## Changed on main since you were last here"


def test_resume_opens_with_main_changes_and_status_shows_the_overlap(
    tmp_path: Path, git_server: GitServer
) -> None:
    services = mirrored(tmp_path / "data", git_server, upstream_worker=False)
    with TestClient(create_app(services.settings, services)) as client:
        api = Api(client, new_key(services))
        sandbox = start_sandbox(api, REPO)
        api.post("/files/write", **sandbox, path="shared.md", content="mine\n", message="Mine")
        api.post("/files/write", **sandbox, path="alone.md", content="a\n", message="Alone")
        person_pushes_main(git_server, tmp_path / "work", "shared.md", "theirs\n", "Reword shared")
        fetch_main(services, repository_id(services))
        record_human_changes(services, repository_id(services))

        briefing = api.post("/context/resume", **sandbox)["briefing"]
        status = api.post("/sandbox/status", **sandbox)
        api.post("/files/write", **sandbox, path="alone.md", content="b\n", message="Back")
        later = api.post("/context/resume", **sandbox)["briefing"]

    assert briefing.startswith(f"{OPENING} (1)\n")
    assert "Reword shared" in briefing.split("# Project")[0]
    assert status["main_overlap"] == ["shared.md"]
    assert OPENING not in later and "Reword shared" in later  # still among the memories


def test_no_overlap_when_main_has_not_moved(tmp_path: Path, git_server: GitServer) -> None:
    services = mirrored(tmp_path / "data", git_server, upstream_worker=False)
    with TestClient(create_app(services.settings, services)) as client:
        api = Api(client, new_key(services))
        sandbox = start_sandbox(api, REPO)
        api.post("/files/write", **sandbox, path="shared.md", content="mine\n", message="Mine")
        assert api.post("/sandbox/status", **sandbox)["main_overlap"] == []
        assert not api.post("/context/resume", **sandbox)["briefing"].startswith(OPENING)
