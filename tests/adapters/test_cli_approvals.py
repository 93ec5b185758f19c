"""``draftroom repo set NAME --[no-]require-other-reviewer`` and ``merge show`` naming who
asked and who decided, as an admin types them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from tests.adapters.test_cli_admin import DataDir, data
from tests.support.api import start_sandbox, write
from tests.support.person_keys import add_person

__all__ = ["data"]  # the fixture, used here as in test_cli_admin


def person_asks(data: DataDir) -> str:
    """A person of the default org asks to merge a sandbox of ``made`` over HTTP; their key id."""
    services = Services(Settings(data_dir=data.path, public_url="https://draftroom.example"))
    try:
        mia = add_person(services, "mia@acme.test", "member")
        with TestClient(create_app(services.settings, services)) as client:
            api = mia.api(client)
            sb = start_sandbox(api, repo="made")
            write(api, sb, "a.md", "a\n")
            api.post("/merge/request", expect=201, **sb, title="Add a")
    finally:
        services.database.dispose()
    return mia.key_id


@pytest.mark.slow
def test_repo_set_turns_the_setting_on_and_off(data: DataDir) -> None:
    data.run("repo", "add", "made", "--init")

    on = data.run("repo", "set", "made", "--require-other-reviewer", "--org", "default")
    assert (on.returncode, on.stdout) == (0, "made requires another reviewer to approve a merge\n")
    off = data.run("repo", "set", "default/made", "--no-require-other-reviewer")
    assert off.stdout == "made does not require another reviewer to approve a merge\n"
    neither = data.run("repo", "set", "made")
    assert neither.returncode == 2
    assert neither.stderr == "error: give --require-other-reviewer or --no-require-other-reviewer\n"
    unknown = data.run("repo", "set", "nope", "--require-other-reviewer")
    assert (unknown.returncode, unknown.stderr) == (
        1,
        "error: repo_not_found: no repository named 'nope'; ask an admin to register it\n",
    )
    rows = [(row.tool, row.outcome) for row in data.rows()]
    assert rows[-4:] == [("admin.repos.register", "ok")] + [("admin.repos.set", "ok")] * 2 + [
        ("admin.repos.set", "error")
    ]  # the usage error reached no tool


@pytest.mark.slow
def test_merge_show_names_who_asked_and_who_decided(data: DataDir) -> None:
    data.run("repo", "add", "made", "--init")
    asker = person_asks(data)

    pending = data.run("merge", "show", "1", "--stat")
    assert pending.stdout.splitlines()[1] == f"asked by mia@acme.test (key {asker})"
    approved = data.run("merge", "approve", "1")
    assert approved.returncode == 0, approved.stderr
    merged = data.run("merge", "show", "1", "--stat")
    assert merged.stdout.splitlines()[1] == (
        f"asked by mia@acme.test (key {asker}); merged by key {data.owner_key_id()}"
    )


@pytest.mark.slow
def test_merge_show_names_other_work_on_the_same_files(data: DataDir) -> None:
    data.run("repo", "add", "made", "--init")
    services = Services(Settings(data_dir=data.path, public_url="https://draftroom.example"))
    try:
        mia = add_person(services, "mia@acme.test", "member")
        with TestClient(create_app(services.settings, services)) as client:
            api = mia.api(client)
            first, second = start_sandbox(api, repo="made"), start_sandbox(api, repo="made")
            write(api, first, "a.md", "one\n")
            write(api, second, "a.md", "two\n")
            api.post("/merge/request", expect=201, **first, title="Add a")
    finally:
        services.database.dispose()
    shown = data.run("merge", "show", "1", "--stat")
    assert f"overlaps {second['branch']}: a.md" in shown.stdout.splitlines()
