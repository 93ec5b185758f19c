"""The people-and-keys page: owners add people, change roles, create keys (shown once) and
revoke them; a revoked key is refused by the API at once. Nobody else opens it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.support.console import Site, shoot, sign_in, walk_with_keyboard

PEOPLE = "/console/people"


def csrf_of(page: Page) -> str:
    """The signed-in session's CSRF token, from the sign-out form every page carries."""
    page.goto(page.url.split("/console")[0] + "/console")
    return page.locator("form.signout input[name=csrf_token]").get_attribute("value") or ""


def test_an_owner_adds_a_person_changes_roles_and_removes_one(page: Page, site: Site) -> None:
    sign_in(page, site, "owner@example.com")
    page.goto(site.base + PEOPLE)
    expect(page.get_by_role("heading", name="People and keys")).to_be_visible()
    walk_with_keyboard(page)
    form = page.locator("form[action='/console/people/add']")
    form.get_by_label("Email").fill("Nia@Example.com")
    form.get_by_label("Name").fill("Nia <b>New</b>")
    form.get_by_label("Role", exact=True).select_option("reviewer")
    form.get_by_label("Initial password (optional)").fill("a long enough password")
    form.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("status")).to_have_text("Person added.")
    row = page.get_by_role("row").filter(has_text="nia@example.com")
    expect(row).to_contain_text("Nia <b>New</b>")  # escaped, shown as typed
    expect(row.get_by_role("cell").nth(2)).to_have_text("reviewer")

    page.get_by_label("Role of member@example.com", exact=True).select_option("reviewer")
    page.get_by_role("button", name="Change role of member@example.com").click()
    expect(page.get_by_role("status")).to_contain_text("Role changed")
    member_row = page.get_by_role("row").filter(has_text="member@example.com")
    expect(member_row.get_by_role("cell").nth(2)).to_have_text("reviewer")
    users = {u["email"]: u for u in site.admin.get("/admin/users")["users"]}
    assert users["member@example.com"]["role"] == "reviewer"

    page.get_by_role("button", name="Remove other@example.com").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Person removed")
    users = {u["email"]: u for u in site.admin.get("/admin/users")["users"]}
    assert users["other@example.com"]["removed_at"] is not None
    shoot(page, "people")


def test_a_key_made_in_the_console_works_until_revoked_there(page: Page, site: Site) -> None:
    sign_in(page, site, "owner@example.com")
    page.goto(site.base + PEOPLE)
    form = page.locator("form[action='/console/people/keys']")
    form.get_by_label("For").select_option("member@example.com")
    form.get_by_label("Label").fill("laptop")
    with page.expect_response(lambda r: r.url.endswith("/console/people/keys")) as answer:
        form.get_by_role("button", name="Create key").click()
    assert answer.value.headers["cache-control"] == "no-store"
    key = page.get_by_label("The key").input_value()
    key_id = key.split("_")[1]
    assert key.startswith("drk_") and key not in page.url
    expect(page.get_by_role("heading", name=f"New key {key_id}")).to_be_visible()
    bearer = {"Authorization": f"Bearer {key}"}
    works = site.http.post("/sandbox/init", json={"repo_name": "demo"}, headers=bearer)
    assert works.status_code == 201, works.text

    page.goto(site.base + PEOPLE)
    assert key not in page.content()  # shown once, never listed
    row = page.get_by_role("row").filter(has_text=key_id)
    expect(row).to_contain_text("laptop")
    expect(row).to_contain_text("member@example.com")
    page.get_by_role("button", name=f"Revoke key {key_id}").click()
    expect(page.get_by_role("status")).to_contain_text("Key revoked")
    refused = site.http.post("/sandbox/init", json={"repo_name": "demo"}, headers=bearer)
    assert refused.status_code == 401
    expect(page.get_by_role("row").filter(has_text=key_id)).not_to_contain_text("Revoke")


def test_the_last_owner_cannot_be_demoted_from_the_console(page: Page, site: Site) -> None:
    sign_in(page, site, "owner@example.com")
    page.goto(site.base + PEOPLE)
    page.get_by_label("Role of owner@example.com", exact=True).select_option("member")
    page.get_by_role("button", name="Change role of owner@example.com").click()
    expect(page.get_by_role("alert")).to_contain_text("last_owner")
    page.goto(site.base + PEOPLE)
    page.get_by_role("button", name="Remove owner@example.com").click()
    expect(page.get_by_role("alert")).to_contain_text("last owner")
    roles = {
        u["email"]: (u["role"], u["removed_at"]) for u in site.admin.get("/admin/users")["users"]
    }
    assert roles["owner@example.com"] == ("owner", None)


def test_bad_input_comes_back_as_a_page_not_a_500(page: Page, site: Site) -> None:
    sign_in(page, site, "owner@example.com")
    token = csrf_of(page)
    for action, form in (
        ("/add", {"email": "nope", "role": "member"}),
        ("/add", {"email": "x@example.com", "role": "king"}),
        ("/role", {"email": "member@example.com", "role": "admin"}),
        ("/keys", {"user": "stranger@example.com"}),
        ("/keys/revoke", {"id": "x" * 40}),
    ):
        answer = page.request.post(site.base + PEOPLE + action, form={"csrf_token": token, **form})
        assert answer.status in (400, 404, 422), (action, answer.status)
    forged = page.request.post(site.base + PEOPLE + "/add", form={"email": "z@example.com"})
    assert forged.status == 403


@pytest.mark.parametrize("email", ["member@example.com", "reviewer@example.com"])
def test_only_owners_open_the_page_or_press_its_buttons(page: Page, site: Site, email: str) -> None:
    sign_in(page, site, email)
    expect(page.get_by_role("link", name="People and keys")).to_have_count(0)
    assert page.goto(site.base + PEOPLE).status == 403  # type: ignore[union-attr]
    token = csrf_of(page)
    for action, form in (
        ("/add", {"email": "x@example.com", "role": "owner"}),
        ("/role", {"email": email, "role": "owner"}),
        ("/remove", {"email": "owner@example.com"}),
        ("/keys", {"role": "admin"}),
        ("/keys/revoke", {"id": "whatever"}),
    ):
        answer = page.request.post(site.base + PEOPLE + action, form={"csrf_token": token, **form})
        assert answer.status == 403, action
    roles = {u["email"]: u["role"] for u in site.admin.get("/admin/users")["users"]}
    assert roles[email] != "owner" and "x@example.com" not in roles
