"""The console's sandboxes: the list and its filters, a sandbox's page (history with rollbacks
and undos marked, diff, rollback records in words, workspace), archive/restore and a new
reuse token by clicking, and what a member may not see."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from tests.support.api import Api, start_sandbox, write
from tests.support.console import Site, shoot, sign_in, walk_with_keyboard

from draftroom import store
from draftroom.domain.repos.repositories import register_repository
from draftroom.store.timestamps import utc_now


def _story(api: Api) -> dict[str, Any]:
    """A sandbox with two writes, a rollback, an undone write, a task, a memory, a thought."""
    sb = start_sandbox(api)
    write(api, sb, "notes/plan.md", "first line\nsecond line\n")
    wrong = write(api, sb, "wrong.txt", "a mistake\n")
    api.post("/git/rollback_commit", **sb, commit_sha=wrong, reason="it was the wrong file")
    write(api, sb, "draft.txt", "to be undone\n")
    api.post("/sandbox/undo", **sb, steps=1)
    api.post("/tasks/create", **sb, title="Ship the plan", priority="high")
    api.post("/memory/add", **sb, text="The team prefers short plans", tags=["style"])
    api.post("/reasoning/log", **sb, entry="Plan first, then write", kind="decision")
    return {**sb, "wrong": wrong}


def _path(sb: dict[str, Any]) -> str:
    return f"/console/sandboxes/{sb['repo_name']}/{sb['branch']}"


def test_a_sandbox_page_tells_its_story(page: Page, site: Site) -> None:
    sb = _story(site.key("member@example.com"))
    sign_in(page, site, "member@example.com")
    page.goto(f"{site.base}/console/sandboxes")
    page.get_by_role("link", name=sb["branch"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sb["branch"])
    history = page.locator("#history + table")
    expect(history.locator("tr", has_text="Revert").locator(".tag")).to_have_text("rollback")
    undone = history.locator("tr.undone")
    expect(undone).to_have_count(2)
    expect(undone.first).to_contain_text("Write draft.txt")
    expect(undone.last).to_contain_text("Write wrong.txt")
    expect(history.locator("tr", has_text="Undo 1 operation").locator(".tag")).to_have_text("undo")
    words = page.locator("ul.rollbacks li")
    expect(words).to_have_count(1)
    expect(words).to_contain_text("Mia Member <member@example.com> rolled back “Write wrong.txt”")
    expect(words).to_contain_text("UTC. Why: “it was the wrong file”. Files undone: wrong.txt.")
    expect(page.locator("#operations + table tr", has_text="sandbox.undo")).to_have_count(1)
    plan = page.get_by_role("region", name="notes/plan.md")
    expect(plan.locator(".line.add")).to_have_text(["+first line", "+second line"])
    expect(plan.locator(".line.hunk")).to_have_count(1)
    expect(page.get_by_role("region", name="draft.txt")).to_have_count(0)  # undone
    expect(page.locator("#tasks + table")).to_contain_text("Ship the plan")
    expect(page.locator("ul.memories")).to_contain_text("The team prefers short plans")
    expect(page.locator("ol.reasoning")).to_contain_text("Plan first, then write")
    walk_with_keyboard(page)
    shoot(page, "sandbox")


def _age(site: Site, branch: str, days: int) -> None:
    """Make ``branch`` look idle for ``days`` (what a quiet week would leave)."""
    with site.services.database.session() as session:
        for sandbox in store.list_sandboxes(session):
            if sandbox.branch == branch:
                sandbox.last_active_at = utc_now() - timedelta(days=days)


def test_the_list_filters_by_repository_person_state_and_idle_time(page: Page, site: Site) -> None:
    mine = start_sandbox(site.key("member@example.com"))
    theirs = start_sandbox(site.key("other@example.com"))
    _register(site, "docs")
    docs = start_sandbox(site.key("reviewer@example.com"), repo="docs")
    _age(site, theirs["branch"], days=10)
    site.admin.post(f"/admin/sandboxes/{_id(site, docs['branch'])}/archive")
    sign_in(page, site, "owner@example.com")
    page.goto(f"{site.base}/console/sandboxes")
    rows = page.locator("table.sandboxes tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(docs["branch"])  # newest activity first
    expect(rows.filter(has_text=mine["branch"])).to_contain_text("0 ahead, 0 behind")
    expect(rows.filter(has_text=theirs["branch"])).to_contain_text("Omar Other")
    walk_with_keyboard(page)
    shoot(page, "sandboxes")

    def only(label: str, value: str, branch: str) -> None:
        page.goto(f"{site.base}/console/sandboxes")
        page.get_by_label(label).select_option(value)
        page.get_by_role("button", name="Filter").click()
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(branch)

    only("Repository", "docs", docs["branch"])
    only("Person", "other@example.com", theirs["branch"])
    only("State", "archived", docs["branch"])
    only("Idle for at least", "7d", theirs["branch"])
    page.goto(f"{site.base}/console/sandboxes?idle=30d")
    expect(page.get_by_text("No sandboxes match.")).to_be_visible()


def _register(site: Site, name: str) -> None:
    """A second repository (registering is for the server's own command line)."""
    with site.services.database.session() as session:
        org = store.get_or_create_org(session, site.settings.org)
        register_repository(site.services, session, org.id, name)


def _id(site: Site, branch: str) -> int:
    found = site.admin.get("/admin/sandboxes")["sandboxes"]
    return int(next(s["id"] for s in found if s["branch"] == branch))


def test_bad_filters_are_a_400_naming_the_parameter(page: Page, site: Site) -> None:
    sign_in(page, site, "owner@example.com")
    for query, name in [("state=gone", "state"), ("idle=2h", "idle"), ("page=0", "page")]:
        answer = page.goto(f"{site.base}/console/sandboxes?{query}")
        assert answer is not None and answer.status == 400
        expect(page.get_by_role("alert")).to_contain_text(name)
    answer = page.goto(f"{site.base}/console/sandboxes?sort=x")
    assert answer is not None and answer.status == 400


def test_a_member_archives_and_restores_their_sandbox_by_clicking(page: Page, site: Site) -> None:
    api = site.key("member@example.com")
    sb = start_sandbox(api)
    sign_in(page, site, "member@example.com")
    page.goto(site.base + _path(sb))
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("status")).to_contain_text("The sandbox is archived")
    expect(page.locator("dl.facts")).to_contain_text("archived")
    api.post("/sandbox/status", expect=403, **sb)  # its token is refused while archived
    restore = page.get_by_role("button", name="Restore")
    restore.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The sandbox is restored")
    assert api.post("/sandbox/status", **sb)["branch"] == sb["branch"]


def test_a_new_reuse_token_is_shown_once_and_works(page: Page, site: Site) -> None:
    api = site.key("member@example.com")
    sb = start_sandbox(api)
    sign_in(page, site, "member@example.com")
    page.goto(site.base + _path(sb))
    with page.expect_response(re.compile(r"do=token")) as answer:
        page.get_by_role("button", name="Issue a new reuse token").click()
    assert answer.value.headers["cache-control"] == "no-store"
    token = page.locator("output#token").inner_text().strip()
    assert token.startswith("drt_") and token != sb["reuse_token"]
    assert token not in page.url
    status = api.post("/sandbox/status", repo_name=sb["repo_name"], reuse_token=token)
    assert status["branch"] == sb["branch"]
    walk_with_keyboard(page)


def test_a_member_sees_only_their_own_sandboxes(page: Page, site: Site) -> None:
    mine = start_sandbox(site.key("member@example.com"))
    theirs = start_sandbox(site.key("other@example.com"))
    sign_in(page, site, "member@example.com")
    page.goto(f"{site.base}/console/sandboxes")
    rows = page.locator("table.sandboxes tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(mine["branch"])
    expect(page.get_by_label("Person")).to_have_count(0)
    page.goto(f"{site.base}/console/sandboxes?person=other@example.com")
    expect(page.get_by_text("No sandboxes match.")).to_be_visible()
    answer = page.goto(site.base + _path(theirs))
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("alert")).to_contain_text("another person's")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    page.goto(site.base + _path(mine))
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = httpx.post(
        f"{site.base}{_path(theirs)}?do=token",
        cookies=cookies,
        data={"csrf_token": csrf or ""},
    )
    assert forged.status_code == 404 and "drt_" not in forged.text
    missing = page.goto(f"{site.base}/console/sandboxes/demo/gpt/no-such-branch")
    assert missing is not None and missing.status == 404


def test_forged_and_unknown_button_posts_change_nothing(page: Page, site: Site) -> None:
    mine = start_sandbox(site.key("member@example.com"))
    theirs = start_sandbox(site.key("other@example.com"))
    sign_in(page, site, "member@example.com")
    page.goto(site.base + _path(mine))
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}

    def post(query: str, **fields: str) -> httpx.Response:
        url = f"{site.base}{_path(mine)}?{query}"
        return httpx.post(url, cookies=cookies, data={"csrf_token": csrf, **fields})

    # Another person's sandbox id behind my own page's address: answered as missing.
    assert post("do=archive", id=str(_id(site, theirs["branch"]))).status_code == 404
    assert post("do=archive", id="-1").status_code == 422  # the tool's own validation
    assert post("do=archive", id="9" * 30).status_code == 422  # no 500 from the database
    assert post("do=delete").status_code == 400
    assert post("do=archive&do=token").status_code == 400
    assert post("do=archive", id=str(_id(site, mine["branch"])), csrf_token="x").status_code == 403
    states = {s["branch"]: s["status"] for s in site.admin.get("/admin/sandboxes")["sandboxes"]}
    assert states == {mine["branch"]: "active", theirs["branch"]: "active"}
    for query in ("done=hacked", "done=archived&x=1"):
        answer = page.goto(f"{site.base}{_path(mine)}?{query}")
        assert answer is not None and answer.status == 400
    answer = page.goto(f"{site.base}/console/sandboxes/demo/..%2F..%2Fetc")
    assert answer is not None and answer.status == 404


def test_the_list_shows_what_the_upstream_is_owed(page: Page, site: Site) -> None:
    sb = start_sandbox(site.key("member@example.com"))
    with site.services.database.session() as session:
        record = store.find_repository(
            session, store.get_or_create_org(session, site.settings.org).id, "demo"
        )
        assert record is not None
        store.enqueue_outbox(session, record.id, sb["branch"], "a" * 40)
        entry = store.get_outbox_entry(session, record.id, sb["branch"])
        assert entry is not None
        entry.state, entry.last_error = "failed", "the upstream refused the push"
    sign_in(page, site, "member@example.com")
    page.goto(f"{site.base}/console/sandboxes")
    failed = page.locator("table.sandboxes tbody tr .tag.bad", has_text="failed")
    expect(failed).to_have_attribute("title", "the upstream refused the push")
