"""The console's sandbox list query: filters, order by activity, pages, org isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from sqlalchemy.orm import Session

from draftroom.store import (
    Database,
    SandboxFilter,
    add_org,
    add_repository,
    add_sandbox,
    add_user,
    console_sandboxes,
    count_console_sandboxes,
    enqueue_outbox,
    get_or_create_org,
)
from draftroom.store.timestamps import utc_now


class Acme(NamedTuple):
    org: int
    site: int
    docs: int
    ada: int
    bob: int


def _org(session: Session) -> Acme:
    """acme with repositories site and docs and people ada and bob; another org's sandbox."""
    org = get_or_create_org(session, "acme").id
    site = add_repository(session, org, "site", "/site").id
    docs = add_repository(session, org, "docs", "/docs").id
    ada = add_user(session, org, "ada@example.com", "member", name="Ada").id
    bob = add_user(session, org, "bob@example.com", "member").id
    elsewhere = add_org(session, "globex").id
    theirs = add_repository(session, elsewhere, "site", "/globex-site").id
    add_sandbox(session, theirs, "gpt/globex", None)
    return Acme(org, site, docs, ada, bob)


def _branches(session: Session, where: SandboxFilter, **page: int) -> list[str]:
    return [row.branch for row in console_sandboxes(session, where, **page)]


def test_the_list_filters_in_sql_and_orders_by_last_activity(database: Database) -> None:
    now = utc_now()
    with database.session() as session:
        org, site, docs, ada, bob = _org(session)
        fresh = add_sandbox(session, site, "gpt/fresh", None, created_for_user_id=ada)
        quiet = add_sandbox(session, site, "gpt/quiet", None, created_for_user_id=bob)
        never = add_sandbox(session, docs, "gpt/never", None, project_name="Atlas")
        gone = add_sandbox(session, docs, "gpt/gone", None, created_for_user_id=ada)
        fresh.last_active_at = now - timedelta(minutes=5)
        quiet.last_active_at = now - timedelta(days=3)
        never.created_at = now - timedelta(days=40)  # never opened since it was started
        gone.status, gone.last_active_at = "archived", now - timedelta(hours=2)
        enqueue_outbox(session, site, "gpt/quiet", "a" * 40)
    with database.session() as session:
        everything = SandboxFilter(org_id=org)
        assert count_console_sandboxes(session, everything) == 4
        assert _branches(session, everything) == ["gpt/fresh", "gpt/gone", "gpt/quiet", "gpt/never"]
        rows = {row.branch: row for row in console_sandboxes(session, everything)}
        assert rows["gpt/quiet"].upstream_state == "pending"
        assert rows["gpt/fresh"].upstream_state is None
        assert (rows["gpt/fresh"].person_email, rows["gpt/fresh"].person_name) == (
            "ada@example.com",
            "Ada",
        )
        assert rows["gpt/never"].person_email is None
        assert rows["gpt/never"].active_at == rows["gpt/never"].created_at
        assert (rows["gpt/never"].repo_name, rows["gpt/never"].project_name) == ("docs", "Atlas")

        def only(**where: object) -> list[str]:
            chosen = SandboxFilter(org_id=org, **where)  # type: ignore[arg-type]
            assert count_console_sandboxes(session, chosen) == len(_branches(session, chosen))
            return _branches(session, chosen)

        assert only(repository_id=docs) == ["gpt/gone", "gpt/never"]
        assert only(user_id=ada) == ["gpt/fresh", "gpt/gone"]
        assert only(status="archived") == ["gpt/gone"]
        assert only(status="merged") == []
        assert only(idle_since=now - timedelta(hours=1)) == ["gpt/gone", "gpt/quiet", "gpt/never"]
        assert only(idle_since=now - timedelta(days=1)) == ["gpt/quiet", "gpt/never"]
        assert only(idle_since=now - timedelta(days=30)) == ["gpt/never"]
        assert only(user_id=ada, repository_id=site) == ["gpt/fresh"]
        assert only(repository_id=-1) == []


def test_pages_follow_one_another_without_repeats(database: Database) -> None:
    now = utc_now()
    with database.session() as session:
        org, site, *_ = _org(session)
        for number in range(7):
            sandbox = add_sandbox(session, site, f"gpt/s{number}", None)
            sandbox.last_active_at = now - timedelta(minutes=number)
    with database.session() as session:
        where = SandboxFilter(org_id=org)
        pages = [_branches(session, where, offset=start, limit=3) for start in (0, 3, 6, 9)]
    assert pages == [["gpt/s0", "gpt/s1", "gpt/s2"], ["gpt/s3", "gpt/s4", "gpt/s5"], ["gpt/s6"], []]


def test_another_orgs_sandboxes_are_never_listed(database: Database) -> None:
    with database.session() as session:
        _org(session)
        globex = get_or_create_org(session, "globex").id
        acme = get_or_create_org(session, "acme").id
        assert _branches(session, SandboxFilter(org_id=acme)) == []
        assert _branches(session, SandboxFilter(org_id=globex)) == ["gpt/globex"]
