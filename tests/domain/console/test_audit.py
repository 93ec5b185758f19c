"""The audit read model on both databases: strict filters, keyset pages, chunked exports, and
never another org's rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from draftroom import store
from draftroom.domain.access import issue_api_key
from draftroom.domain.audit import COLUMNS as EXPORT_COLUMNS
from draftroom.domain.calls import Principal
from draftroom.domain.console import (
    AuditQuery,
    audit_page,
    export_records,
    parse_query,
    people_and_keys,
)
from draftroom.domain.console.audit import FAILURE_PARAMETERS
from draftroom.errors import InvalidInput
from tests.support.audit import add_audit_event

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


def seeded(database: store.Database) -> tuple[Principal, int]:
    """Org ``acme`` with a person and 1,050 rows an hour apart (every third failed), and a
    rival org with a person of the same email and rows of its own."""
    with database.session() as session:
        acme, rival = store.add_org(session, "acme"), store.add_org(session, "rival")
        ada = store.add_user(session, acme.id, "ada@example.com", "member")
        twin = store.add_user(session, rival.id, "ada@example.com", "member")
        for n in range(1_050):
            failed = n % 3 == 0
            session.add(
                store.AuditEvent(
                    at=T0 + timedelta(hours=n),
                    request_id=f"r{n}",
                    tool="files.read" if failed else "files.write",
                    outcome="error" if failed else "ok",
                    error_code="path_not_found" if failed else None,
                    duration_ms=1.25,
                    org_id=acme.id,
                    user_id=ada.id if n % 2 else None,
                    repo="demo",
                    branch=f"b{n % 5}",
                )
            )
        for n in range(20):
            add_audit_event(
                session, request_id=f"x{n}", tool="files.read", outcome="error",
                duration_ms=1, org_id=rival.id, user_id=twin.id, error_code="path_not_found",
            )  # fmt: skip
        principal = Principal(api_key_id="console:x", org_id=acme.id, role="person")
        return principal, ada.id


def query(database: store.Database, principal: Principal, **params: str) -> AuditQuery:
    with database.session() as session:
        return parse_query(session, principal, list(params.items()))


def test_filters_narrow_and_pages_walk_down_by_id(database: store.Database) -> None:
    principal, ada = seeded(database)
    found = query(database, principal, person="ADA@example.com", branch="b1", since="2026-12-02")
    assert found.where.user_id == ada and found.where.since == T0.replace(day=2, hour=0)
    seen: list[int] = []
    before: int | None = None
    with database.session() as session:
        while True:
            page = audit_page(session, AuditQuery(found.where, before, found.values))
            seen.extend(event.id for event, _ in page.rows)
            assert all(email == "ada@example.com" for _, email in page.rows)
            if page.next_before is None:
                break
            before = page.next_before
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen))
    expected = [n for n in range(1_050) if n % 2 and n % 5 == 1 and n >= 12]
    assert len(seen) == len(expected)


def test_until_a_date_means_the_end_of_that_day(database: store.Database) -> None:
    principal, _ = seeded(database)
    found = query(database, principal, since="2026-12-01T12:00Z", until="2026-12-01")
    with database.session() as session:
        assert [e.request_id for e, _ in audit_page(session, found).rows][::-1] == [
            f"r{n}" for n in range(12)
        ]
    local = query(database, principal, until="2026-12-01T14:00+01:00")
    assert local.where.until == T0 + timedelta(hours=1)


def test_an_export_reads_every_row_in_chunks_and_only_its_org(database: store.Database) -> None:
    principal, _ = seeded(database)
    records = list(export_records(database, query(database, principal), "acme"))
    assert len(records) == 1_050 and [r["id"] for r in records] == sorted(
        (r["id"] for r in records), reverse=True
    )
    assert all(list(r) == list(EXPORT_COLUMNS) and r["org"] == "acme" for r in records)
    assert records[-1] | {"id": 0, "at": ""} == {
        "id": 0, "at": "", "org": "acme", "user": None, "key_id": None, "tool": "files.read",
        "repo": "demo", "branch": "b0", "status": "error", "code": "path_not_found",
        "commit_sha": None, "request_id": "r0", "duration_ms": 1.25,
        "prev_hash": None, "hash": None,  # rows written straight to the table: not chained
    }  # fmt: skip
    with database.session() as session:
        failed = parse_query(
            session, principal, [("code", "path_not_found")], FAILURE_PARAMETERS, outcome="error"
        )
    assert len(list(export_records(database, failed, "acme"))) == 350


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"since": "soon"}, "since"),
        ({"until": "9999-12-31"}, "until"),
        ({"since": "2026-12-02", "until": "2026-12-01"}, "until"),
        ({"person": "nobody@example.com"}, "person"),
        ({"tool": "Files Read"}, "tool"),
        ({"before": "99999999999999999999"}, "before"),
        ({"code": "x"}, "code"),  # not a filter of the audit page
    ],
)
def test_bad_filters_name_their_parameter(
    database: store.Database, params: dict[str, str], parameter: str
) -> None:
    principal, _ = seeded(database)
    with pytest.raises(InvalidInput) as refused:
        query(database, principal, **params)
    assert refused.value.details == {"parameter": parameter}
    assert f"'{parameter}'" in refused.value.message


def test_people_and_keys_name_each_keys_person(database: store.Database) -> None:
    principal, ada = seeded(database)
    with database.session() as session:
        store.add_user(session, principal.org_id, "bo@example.com", "owner").removed_at = T0
        issue_api_key(session, principal.org_id, "agent", "ci")
        issue_api_key(session, principal.org_id, "person", "laptop", user_id=ada)
    with database.session() as session:
        view = people_and_keys(session, principal)
        assert [u.email for u in view.people] == ["ada@example.com", "bo@example.com"]
        assert view.live_people == ["ada@example.com"]
        assert [(row.key.label, row.person) for row in view.keys] == [
            ("laptop", "ada@example.com"),
            ("ci", None),
        ]
