"""docs/orgs.md's "Setting up a team from scratch" runs as written, and leaves a team whose
people and keys do what the roles table says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls.services import Services

DOC = Path(__file__).parents[2] / "docs" / "orgs.md"


def _setup_block() -> str:
    section = DOC.read_text().split("## Setting up a team from scratch", 1)[1]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found is not None, "the section has a sh block"
    return found.group(1)


@pytest.mark.slow
def test_the_team_setup_in_docs_orgs_runs_verbatim(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {
        **os.environ,
        "DRAFTROOM_DATA_DIR": str(data),
        "ANA_PASSWORD": "correct horse battery staple",
    }
    env.pop("DRAFTROOM_API_KEY", None)
    script = f'set -euo pipefail\ndraftroom() {{ "{sys.executable}" -m draftroom "$@"; }}\n'
    done = subprocess.run(
        ["bash", "-c", script + _setup_block()],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    keys = [line for line in done.stdout.splitlines() if line.startswith("drk_")]
    assert len(keys) == 2, done.stdout
    mei_agent, rui = keys
    assert "acme-ml" in done.stdout and "Acme ML" in done.stdout  # org list

    services = Services(Settings(data_dir=data))
    with TestClient(create_app(services.settings, services)) as client:
        as_mei = {"Authorization": f"Bearer {mei_agent}"}
        init = client.post("/sandbox/init", json={"repo_name": "acme-ml/webapp"}, headers=as_mei)
        assert init.status_code == 201, init.text
        sandbox = {"repo_name": "webapp", "reuse_token": init.json()["reuse_token"]}
        write = {**sandbox, "path": "a.txt", "content": "hi", "message": "Add a.txt"}
        assert client.post("/files/write", json=write, headers=as_mei).status_code == 200
        asked = client.post("/merge/request", json={**sandbox, "title": "A"}, headers=as_mei)
        assert asked.json()["requested_by_person"] == "mei@acme.example"
        refused = client.get("/admin/merge_requests", headers=as_mei)
        assert refused.json()["error"]["code"] == "insufficient_scope"
        approved = client.post(
            f"/admin/merge_requests/{asked.json()['id']}/approve",
            headers={"Authorization": f"Bearer {rui}"},
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["decided_by_person"] == "rui@acme.example"
    services.database.dispose()
