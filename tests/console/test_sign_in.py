"""Signing in to the console: the people of the org, a secure session cookie, CSRF on forms."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from tests.support.console import PASSWORD, Site, shoot, sign_in, walk_with_keyboard


def test_a_person_signs_in_with_email_and_password_and_out_again(page: Page, site: Site) -> None:
    page.goto(f"{site.base}/console?from=mail")
    expect(page).to_have_url(f"{site.base}/console/sign-in?next=/console%3Ffrom%3Dmail")
    walk_with_keyboard(page)
    shoot(page, "sign-in")
    page.get_by_label("Email").fill("member@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site.base}/console?from=mail")
    cookie = next(c for c in page.context.cookies() if c["name"] == "draftroom_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/console"
    assert not cookie["secure"]  # served over plain http on loopback
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    # The old cookie opens nothing any more.
    stolen = httpx.get(f"{site.base}/console", cookies={"draftroom_console": cookie["value"]})
    assert stolen.status_code == 303 and "/console/sign-in" in stolen.headers["location"]


def test_a_wrong_password_is_refused_in_words_and_counted(page: Page, site: Site) -> None:
    page.goto(f"{site.base}/console/sign-in")
    page.get_by_label("Email").fill("member@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("wrong email or password")
    assert page.get_by_label("Email").input_value() == "member@example.com"
    assert not [c for c in page.context.cookies() if c["name"] == "draftroom_console"]


def test_removed_person_is_signed_out_at_once(page: Page, site: Site) -> None:
    sign_in(page, site, "other@example.com")
    site.admin.post("/admin/users/other@example.com/remove")
    page.goto(f"{site.base}/console")
    expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()


def test_forms_without_the_sessions_csrf_token_are_refused(page: Page, site: Site) -> None:
    sign_in(page, site, "member@example.com")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    forged = httpx.post(
        f"{site.base}/console/sign-out", cookies=cookies, data={"csrf_token": "guess"}
    )
    assert forged.status_code == 403 and "expired or was not sent" in forged.text
    page.goto(f"{site.base}/console")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # still signed in
    # The sign-in form itself is protected too (login CSRF): no form cookie, no session.
    login = httpx.post(
        f"{site.base}/console/sign-in",
        data={"email": "member@example.com", "password": PASSWORD, "csrf_token": "x"},
    )
    assert login.status_code == 403 and "draftroom_console=" not in login.headers.get(
        "set-cookie", ""
    ).replace("draftroom_console_form=", "")


def test_sign_in_goes_back_only_to_console_pages(page: Page, site: Site) -> None:
    page.goto(f"{site.base}/console/sign-in?next=//evil.example/console")
    page.get_by_label("Email").fill("member@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{site.base}/console")


def test_console_pages_forbid_framing_and_foreign_scripts(site: Site) -> None:
    answer = httpx.get(f"{site.base}/console/sign-in")
    assert answer.headers["x-frame-options"] == "DENY"
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in answer.text.split("<body>")[0].replace("http-equiv", "")  # no CDN


def test_cookies_are_secure_behind_https(tmp_path: Path) -> None:
    with Site(tmp_path / "data") as site:
        site.settings.public_url = "https://draftroom.example"
        site.person("member@example.com", "member")
        answer = httpx.get(f"{site.base}/console/sign-in")
        form_cookie = answer.headers["set-cookie"]
        assert "Secure" in form_cookie and "HttpOnly" in form_cookie
        token = answer.text.split('name="csrf_token" value="')[1].split('"')[0]
        signed = httpx.post(
            f"{site.base}/console/sign-in",
            data={"email": "member@example.com", "password": PASSWORD, "csrf_token": token},
            # Sent by hand: httpx keeps a Secure cookie from a plain-http server.
            headers={"cookie": form_cookie.split(";")[0]},
        )
        assert signed.status_code == 303
        session_cookie = signed.headers.get_list("set-cookie")[0]
        assert session_cookie.startswith("draftroom_console=drc_")
        assert "Secure" in session_cookie and "HttpOnly" in session_cookie
        assert "SameSite=lax" in session_cookie
