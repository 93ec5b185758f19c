"""Overlap before merge: a request's preview lists the other open work changing its files,
and one conflicting with an approved change says so and points to ``sandbox.sync``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom.domain.calls import Services
from draftroom.git import Change
from tests.support.api import AdminApi, Api, start_sandbox, write
from tests.support.people import services_on
from tests.support.trees import repo_of


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Services:
    return services_on(database_url, tmp_path / "data")


def ask(api: Api, sb: dict[str, str], title: str) -> dict[str, Any]:
    return api.post("/merge/request", expect=201, **sb, title=title)


def test_the_preview_lists_open_sandboxes_and_requests_changing_the_same_files(
    api: Api, client: TestClient, services: Services
) -> None:
    ours, asked, working, apart = (start_sandbox(api) for _ in range(4))
    write(api, ours, "shared.md", "ours\n")
    write(api, ours, "docs/guide.md", "ours\n")
    write(api, asked, "shared.md", "asked\n")
    write(api, asked, "elsewhere.md", "asked\n")
    pending = ask(api, asked, "Asked")
    write(api, working, "docs/guide.md", "working\n")
    write(api, working, "shared.md", "working\n")
    write(api, apart, "apart.md", "apart\n")
    api.post("/memory/add", **apart, text="a note", tags=["x"])  # workspace files never count

    preview = ask(api, ours, "Ours")["preview"]

    assert preview["overlapping"] == [
        {"branch": asked["branch"], "merge_request_id": pending["id"], "paths": ["shared.md"]},
        {
            "branch": working["branch"],
            "merge_request_id": None,
            "paths": ["docs/guide.md", "shared.md"],
        },
    ]
    assert preview["warning"] is None
    # The reviewer's view is live: the asked request, once rejected, no longer counts as
    # pending, yet its sandbox is still open work changing shared.md.
    admin = AdminApi(client, services)
    admin.post(f"/admin/merge_requests/{pending['id']}/reject", reason="not now")
    mine = admin.get("/admin/merge_requests", status="pending")["merge_requests"][0]
    shown = admin.get(f"/admin/merge_requests/{mine['id']}")["preview"]
    assert {(o["branch"], o["merge_request_id"]) for o in shown["overlapping"]} == {
        (asked["branch"], None),
        (working["branch"], None),
    }


def test_a_sandbox_alone_on_its_files_overlaps_nothing(api: Api) -> None:
    alone, other = start_sandbox(api), start_sandbox(api)
    write(api, other, "theirs.md", "x\n")
    write(api, alone, "mine.md", "y\n")

    preview = ask(api, alone, "Mine")["preview"]

    assert preview["overlapping"] == [] and preview["warning"] is None


def test_a_request_conflicting_with_an_approved_merge_points_to_sync(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    first, late = start_sandbox(api), start_sandbox(api)
    write(api, first, "README.md", "from first\n")
    write(api, late, "README.md", "from late\n")
    landed = ask(api, first, "First")
    admin.post(f"/admin/merge_requests/{landed['id']}/approve")

    out = ask(api, late, "Late")  # still recorded: the reviewer sees it and its warning

    preview = out["preview"]
    assert out["status"] == "pending" and preview["conflicts"] == ["README.md"]
    assert f"merge request #{landed['id']} ({first['branch']}: README.md)" in preview["warning"]
    assert "sandbox.sync" in preview["warning"]
    assert preview["overlapping"] == []  # the approved sandbox is archived, not open work
    api.post("/sandbox/sync", **late, resolutions=[{"path": "README.md", "content": "both\n"}])
    again = ask(api, late, "Late, synced")["preview"]
    assert again["conflicts"] == [] and again["warning"] is None


def test_conflicts_from_a_change_made_on_main_directly_still_point_to_sync(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    write(api, sb, "README.md", "sandbox\n")
    repo = repo_of(services)
    repo.commit_changes("main", [Change("README.md", b"human\n")], message="By hand")

    warning = ask(api, sb, "Mine")["preview"]["warning"]

    assert "main changed them since this sandbox's base" in warning
    assert "sandbox.sync" in warning
