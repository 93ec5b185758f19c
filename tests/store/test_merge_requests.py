from __future__ import annotations

from sqlalchemy.orm import Session

from draftroom.store import (
    Database,
    add_merge_request,
    add_repository,
    add_sandbox,
    get_merge_request,
    get_or_create_org,
    latest_merge_request,
    list_merge_requests,
)


def _sandbox(session: Session, org: str, branch: str) -> tuple[int, int]:
    org_id = get_or_create_org(session, org).id
    repository_id = add_repository(session, org_id, f"{org}-site", f"/{org}").id
    return repository_id, add_sandbox(session, repository_id, branch, None).id


def _request(session: Session, repository_id: int, sandbox_id: int, title: str) -> int:
    request = add_merge_request(
        session,
        repository_id=repository_id,
        sandbox_id=sandbox_id,
        branch="sb",
        title=title,
        source_sha="a" * 40,
        preview={"files": [], "conflicts": []},
    )
    return request.id


def test_merge_request_round_trips_as_pending_with_its_preview(database: Database) -> None:
    with database.session() as session:
        request_id = _request(session, *_sandbox(session, "acme", "sb"), "Add a")
    with database.session() as session:
        request = get_merge_request(session, request_id)
        assert request is not None
        assert (request.status, request.title, request.preview) == (
            "pending",
            "Add a",
            {"files": [], "conflicts": []},
        )
        assert request.created_at.tzinfo is not None and request.decided_at is None
        assert get_merge_request(session, request_id + 1000) is None


def test_listing_filters_by_org_status_and_pages_newest_first(database: Database) -> None:
    with database.session() as session:
        mine = _sandbox(session, "acme", "sb")
        theirs = _sandbox(session, "other", "sb")
        ids = [_request(session, *mine, f"r{n}") for n in range(3)]
        _request(session, *theirs, "not mine")
        merged = get_merge_request(session, ids[0])
        assert merged is not None
        merged.status = "merged"
        org_id = get_or_create_org(session, "acme").id
    with database.session() as session:
        listed = list_merge_requests(session, org_id=org_id)
        assert [r.id for r in listed] == ids[::-1]
        pending = list_merge_requests(session, org_id=org_id, status="pending")
        assert [r.id for r in pending] == [ids[2], ids[1]]
        page = list_merge_requests(session, org_id=org_id, before_id=ids[2], limit=1)
        assert [r.id for r in page] == [ids[1]]
        latest = latest_merge_request(session, mine[1])
        assert latest is not None and latest.id == ids[2]
        assert latest_merge_request(session, mine[1] + 1000) is None
