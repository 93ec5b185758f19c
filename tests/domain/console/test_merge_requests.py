"""The merge request pages' read models, on SQLite and PostgreSQL: the queue (pending first,
filters, the caller's org only) and a request's diff as classed lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.domain.access import issue_api_key
from draftroom.domain.calls import Principal, Services
from draftroom.domain.console import DiffLine as Line
from draftroom.domain.console.merge_requests import (
    MergeRequestQuery,
    merge_request_page,
    merge_request_queue,
    merge_request_queue_query,
)
from draftroom.domain.repos import register_repository
from draftroom.errors import InvalidInput, NotFound
from draftroom.git import Repository
from tests.support.api import AdminApi, Api, start_sandbox, write
from tests.support.people import services_on


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    services = services_on(database_url, tmp_path / "data")
    yield services
    services.database.dispose()


def add_org(services: Services, slug: str, repo: str = "demo") -> tuple[int, str]:
    """An org (new unless it exists) with repository ``repo``; its id and a new agent key."""
    with services.database.session() as session:
        org = store.get_or_create_org(session, slug)
        path = services.settings.data_dir / "orgs" / slug / f"{repo}.git"
        register_repository(services, session, org.id, repo, path=Repository.init(path).path)
        _, key = issue_api_key(session, org.id, "agent")
        return org.id, key


def ask(api: Api, title: str, repo: str = "demo", text: str = "new\n") -> dict[str, Any]:
    sb = start_sandbox(api, repo)
    write(api, sb, "README.md", text)
    return api.post("/merge/request", expect=201, **sb, title=title)


def reviewer(org_id: int) -> Principal:
    return Principal(
        api_key_id="console:1", org_id=org_id, role="agent", person_role="reviewer", signed_in=True
    )


def test_the_queue_lists_pending_first_filtered_within_the_org(
    client: TestClient, services: Services, api: Api
) -> None:
    org_id, _ = add_org(services, services.settings.org, "other")
    _, rival_key = add_org(services, "rival")
    first = ask(api, "First")
    rejected = ask(api, "Rejected")
    AdminApi(client, services).post(f"/admin/merge_requests/{rejected['id']}/reject")
    elsewhere = ask(api, "Elsewhere", repo="other")
    ask(Api(client, rival_key), "Theirs")

    with services.database.session() as session:
        every = merge_request_queue(session, reviewer(org_id), MergeRequestQuery())
        demo = merge_request_queue(session, reviewer(org_id), MergeRequestQuery(repository="demo"))
        closed = merge_request_queue(session, reviewer(org_id), MergeRequestQuery(state="rejected"))
        later = merge_request_queue(session, reviewer(org_id), MergeRequestQuery(page=2))
        with pytest.raises(InvalidInput, match=r"^repository: no repository named 'nope'"):
            merge_request_queue(session, reviewer(org_id), MergeRequestQuery(repository="nope"))

    assert [row.title for row in every.rows] == ["Elsewhere", "First", "Rejected"]
    assert every.repositories == ["demo", "other"] and not every.has_next
    row = every.rows[1]
    assert (row.id, row.status, row.files_total, row.additions) == (first["id"], "pending", 1, 1)
    assert row.asked_by == f"key {first['requested_by']}"
    assert [row.title for row in demo.rows] == ["First", "Rejected"]
    assert [row.title for row in closed.rows] == ["Rejected"]
    assert later.rows == [] and elsewhere["id"] not in [r.id for r in demo.rows]


def test_a_request_page_classes_its_diff_lines_and_hides_other_orgs(
    services: Services, api: Api, client: TestClient
) -> None:
    org_id, _ = add_org(services, services.settings.org, "other")
    _, rival_key = add_org(services, "rival")
    mine = ask(api, "Mine", text="# demo\nChanged by a sandbox.\n")
    theirs = ask(Api(client, rival_key), "Theirs")

    with services.database.session() as session:
        found = merge_request_page(session, reviewer(org_id), services, mine["id"])
        with pytest.raises(NotFound):
            merge_request_page(session, reviewer(org_id), services, theirs["id"])

    (readme,) = found.files
    assert readme.path == "README.md" and not readme.left_out
    assert readme.lines[0].kind == "hunk"
    assert Line("context", " # demo") in readme.lines
    assert Line("add", "+Changed by a sandbox.") in readme.lines
    deleted = [line for line in readme.lines if line.kind == "del"]
    assert len(deleted) == readme.deletions and all(d.text.startswith("-") for d in deleted)
    assert found.request.preview["overlapping"] == [] and found.published is None


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"state": "open"}, "state"),
        ({"page": "0"}, "page"),
        ({"page": "\u0661"}, "page"),  # ARABIC-INDIC DIGIT ONE: a digit, but not ASCII
        ({"page": "10001"}, "page"),
        ({"repository": "x" * 201}, "repository"),
        ({"order": "id"}, "order"),
    ],
)
def test_bad_queue_parameters_are_named(params: dict[str, str], named: str) -> None:
    with pytest.raises(InvalidInput, match=f"^{named}"):
        merge_request_queue_query(params)


def test_empty_queue_parameters_mean_no_filter() -> None:
    assert (
        merge_request_queue_query({"state": "", "repository": "", "page": ""})
        == MergeRequestQuery()
    )
    assert merge_request_queue_query({"state": "merged", "page": "3"}) == MergeRequestQuery(
        state="merged", page=3
    )
