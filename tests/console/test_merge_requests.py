"""The merge request pages: the queue, a request's diff and overlap, and a reviewer's
Approve (then the change is on ``main``) and Reject (with a reason); members get 403."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from tests.support.api import Api, start_sandbox, write
from tests.support.console import Site, shoot, sign_in, walk_with_keyboard
from tests.support.gitserver import GitServer, log
from tests.support.upstream import REPO as TEAM
from tests.support.upstream import TOKEN, make_settings

from draftroom import store
from draftroom.domain.access import issue_api_key
from draftroom.domain.repos import register_repository
from draftroom.domain.upstream import add_token_credential, add_upstream_repository
from draftroom.git import Repository

QUEUE = "/console/merge-requests"


def ask(
    api: Api, path: str, content: str, title: str, *, sandbox: dict[str, str] | None = None
) -> dict[str, Any]:
    """A sandbox (new unless given) that writes ``path`` and asks for a merge."""
    sb = sandbox or start_sandbox(api)
    write(api, sb, path, content)
    request = api.post("/merge/request", expect=201, **sb, title=title)
    return {**request, "sandbox": sb}


def git_show(site: Site, what: str) -> str:
    gitdir = site.settings.repos_dir / "demo.git"
    out = subprocess.run(
        ["git", "--git-dir", str(gitdir), "show", what], capture_output=True, text=True, check=True
    )
    return out.stdout


def test_a_reviewer_approves_from_the_queue_and_main_has_the_change(page: Page, site: Site) -> None:
    member = site.key("member@example.com")
    request = ask(member, "notes/plan.md", "first step\nsecond step\n", "Plan the work")
    other = start_sandbox(site.key("other@example.com"))
    write(site.key("other@example.com"), other, "notes/plan.md", "their plan\n")

    sign_in(page, site, "reviewer@example.com")
    page.get_by_role("link", name="Merge requests").click()
    row = page.get_by_role("row").filter(has_text="Plan the work")
    expect(row).to_contain_text("member@example.com")
    expect(row).to_contain_text(request["branch"])
    expect(row).to_contain_text("pending")
    expect(row.get_by_role("cell").last).to_contain_text("1")
    walk_with_keyboard(page)
    page.evaluate("document.activeElement.blur()")
    shoot(page, "merge-requests")

    row.get_by_role("link", name=f"#{request['id']} Plan the work").click()
    expect(page.locator(".diff .line.add")).to_have_text(["+first step", "+second step"])
    expect(page.locator(".diff h3")).to_contain_text("notes/plan.md")
    overlap = page.locator("table.overlapping")
    expect(overlap).to_contain_text(other["branch"])
    expect(overlap).to_contain_text("notes/plan.md")
    walk_with_keyboard(page)
    page.evaluate("document.activeElement.blur()")
    shoot(page, "merge-request")

    page.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("status")).to_have_text("Approved: the change is on main.")
    main = git_show(site, "main").split()[1]
    expect(page.locator(".merged-sha")).to_have_text(main)
    assert git_show(site, "main:notes/plan.md") == "first step\nsecond step\n"
    assert page.get_by_role("button", name="Approve").count() == 0
    shown = site.admin.get(f"/admin/merge_requests/{request['id']}")
    assert shown["status"] == "merged" and shown["decided_by_person"] == "reviewer@example.com"


def test_a_reviewer_rejects_with_a_reason_typed_in_the_form(page: Page, site: Site) -> None:
    member = site.key("member@example.com")
    request = ask(member, "draft.md", "not yet\n", "Half done")
    main = git_show(site, "main").split()[1]

    sign_in(page, site, "reviewer@example.com")
    page.goto(f"{site.base}{QUEUE}/{request['id']}")
    page.get_by_label("Reason for rejecting").fill("Needs tests first <b>really</b>")
    page.get_by_role("button", name="Reject").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("Rejected: main was not touched.")
    expect(page.locator(".reason")).to_have_text("Needs tests first <b>really</b>")
    assert git_show(site, "main").split()[1] == main
    shown = site.admin.get(f"/admin/merge_requests/{request['id']}")
    assert shown["status"] == "rejected"
    assert shown["decision_note"] == "Needs tests first <b>really</b>"
    page.goto(f"{site.base}{QUEUE}?state=rejected")
    expect(page.get_by_role("row").filter(has_text="Half done")).to_contain_text("rejected")
    page.goto(f"{site.base}{QUEUE}?state=pending")
    expect(page.get_by_text("No merge requests match these filters.")).to_be_visible()


def test_a_member_gets_403_on_the_queue_the_request_and_approve(page: Page, site: Site) -> None:
    request = ask(site.key("member@example.com"), "mine.md", "mine\n", "Mine")
    sign_in(page, site, "member@example.com")
    expect(page.get_by_role("link", name="Merge requests")).to_have_count(0)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")

    for path in (QUEUE, f"{QUEUE}/{request['id']}"):
        answer = page.goto(f"{site.base}{path}")
        assert answer is not None and answer.status == 403
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    for action in ("approve", "reject"):
        posted = httpx.post(
            f"{site.base}{QUEUE}/{request['id']}/{action}",
            cookies=cookies,
            data={"csrf_token": token or "", "reason": "mine"},
        )
        assert posted.status_code == 403, posted.text
    assert site.admin.get(f"/admin/merge_requests/{request['id']}")["status"] == "pending"


def rival_request(site: Site) -> int:
    """A merge request in another org, made through the API with that org's key."""
    services = site.services
    with services.database.session() as session:
        org = store.get_or_create_org(session, "rival")
        path = services.settings.data_dir / "orgs" / "rival" / "demo.git"
        register_repository(services, session, org.id, "demo", path=Repository.init(path).path)
        _, key = issue_api_key(session, org.id, "agent")
    rival = Api(site.http, key)  # type: ignore[arg-type]
    return int(ask(rival, "theirs.md", "theirs\n", "Theirs")["id"])


def test_another_orgs_request_is_not_found_and_bad_filters_are_named(
    page: Page, site: Site
) -> None:
    theirs = rival_request(site)
    sign_in(page, site, "owner@example.com")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")

    for path in (f"{QUEUE}/{theirs}", f"{QUEUE}/999999", f"{QUEUE}/x1", f"{QUEUE}/-1"):
        answer = page.goto(f"{site.base}{path}")
        assert answer is not None and answer.status == 404, path
    approved = httpx.post(
        f"{site.base}{QUEUE}/{theirs}/approve", cookies=cookies, data={"csrf_token": token or ""}
    )
    assert approved.status_code == 404
    page.goto(f"{site.base}{QUEUE}")
    expect(page.get_by_text("Theirs")).to_have_count(0)
    for query, named in (
        ("state=open", "state"),
        ("page=0", "page"),
        ("page=1e9", "page"),
        ("repository=nope", "repository"),
        ("sort=id", "sort"),
    ):
        answer = page.goto(f"{site.base}{QUEUE}?{query}")
        assert answer is not None and answer.status == 400, query
        expect(page.get_by_role("alert")).to_contain_text(re.compile(f"^invalid_input: {named}"))
    forged = httpx.post(
        f"{site.base}{QUEUE}/{theirs}/approve", cookies=cookies, data={"csrf_token": "guess"}
    )
    assert forged.status_code == 403


def test_an_approval_shows_where_main_was_published_upstream(
    page: Page, tmp_path: Path, git_server: GitServer
) -> None:
    settings = make_settings(tmp_path / "data", upstream_worker=False).model_dump(
        exclude={"data_dir", "public_url"}
    )
    with Site(tmp_path / "data", **settings) as site:
        with site.services.database.session() as session:
            org = store.get_or_create_org(session, site.settings.org)
            add_token_credential(site.settings, session, org.id, "loopback", TOKEN)
            add_upstream_repository(
                site.services, session, org.id, TEAM, git_server.url(TEAM), credential="loopback"
            )
        site.person("reviewer@example.com", "reviewer")
        site.person("member@example.com", "member")
        member = site.key("member@example.com")
        sb = start_sandbox(member, TEAM)
        request = ask(member, "shipped.md", "shipped\n", "Ship it", sandbox=sb)

        sign_in(page, site, "reviewer@example.com")
        page.goto(f"{site.base}{QUEUE}?repository={TEAM}")
        page.get_by_role("link", name=f"#{request['id']} Ship it").click()
        page.get_by_role("button", name="Approve").click()

        expect(page.get_by_role("status")).to_have_text("Approved: the change is on main.")
        expect(page.locator(".published")).to_contain_text("pushed to main: pushed")
        upstream_main = log(git_server.path(TEAM), "main")[0]
        expect(page.locator(".merged-sha")).to_have_text(upstream_main)
