"""The failures page: the org's failed calls (request id, tool, code, message), filtered and
paged; the alert webhook's state and a button that sends it a test alert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.domain.calls.test_failures import Webhook
from tests.support.api import start_sandbox
from tests.support.console import Site, shoot, sign_in, walk_with_keyboard

FAILURES = "/console/failures"


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook(failures=0)
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


@pytest.fixture
def alerting(tmp_path: Path, webhook: Webhook) -> Iterator[Site]:
    """A live draftroom whose alert webhook is a real HTTP server on loopback (the tests allow
    private addresses: tests/conftest.py sets DRAFTROOM_ALLOW_PRIVATE_URLS)."""
    url = webhook.url + "/T0K3N-in-the-path"
    with Site(tmp_path / "data", alert_webhook_url=url) as site:
        site.person("owner@example.com", "owner")
        site.person("member@example.com", "member")
        yield site


def test_failed_calls_are_listed_with_their_message_and_filtered(page: Page, site: Site) -> None:
    member = site.key("member@example.com")
    sb = start_sandbox(member)
    missing = member.post("/files/read", **sb, path="no/such.txt", expect=404)
    member.post("/files/read", **sb, path="../etc/passwd", expect=400)
    sign_in(page, site, "owner@example.com")
    page.goto(site.base + FAILURES)
    walk_with_keyboard(page)
    row = page.get_by_role("row").filter(has_text=missing["error"]["request_id"])
    expect(row).to_contain_text("files.read")
    expect(row).to_contain_text("path_not_found")
    expect(row).to_contain_text("no/such.txt")  # the message the caller was given
    expect(row).to_contain_text("member@example.com")
    page.get_by_label("Code").fill("invalid_path")
    page.get_by_label("Code").press("Enter")
    expect(page).to_have_url(f"{site.base}{FAILURES}?tool=&code=invalid_path")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("invalid_path")
    page.get_by_label("Tool").fill("files.write")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody")).to_contain_text("No failed calls match these filters")
    page.goto(site.base + FAILURES)
    expect(page.get_by_text("not configured")).to_be_visible()
    page.get_by_role("button", name="Send test alert").click()
    expect(page.get_by_role("status")).to_contain_text("No alert webhook is configured")


def test_failures_are_paged_newest_first(page: Page, site: Site) -> None:
    member = site.key("member@example.com")
    sb = start_sandbox(member)
    for n in range(53):
        member.post("/files/read", **sb, path=f"missing-{n}.txt", expect=404)
    sign_in(page, site, "owner@example.com")
    page.goto(site.base + FAILURES)
    expect(page.locator("tbody tr")).to_have_count(50)
    expect(page.locator("tbody tr").first).to_contain_text("missing-52.txt")
    page.get_by_role("link", name="Older failures").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tbody tr").last).to_contain_text("missing-0.txt")
    expect(page.get_by_role("link", name="Older failures")).to_have_count(0)


def test_a_test_alert_reaches_the_webhook(page: Page, alerting: Site, webhook: Webhook) -> None:
    member = alerting.key("member@example.com")
    sb = start_sandbox(member)
    member.post("/files/read", **sb, path="docs/missing.md", expect=404)  # a read: no alert
    sign_in(page, alerting, "owner@example.com")
    page.goto(alerting.base + FAILURES)
    expect(page.locator(".cards")).to_contain_text(f"127.0.0.1:{webhook.server.server_port}")
    assert "T0K3N" not in page.content()  # the path may hold a secret: never shown
    page.get_by_role("button", name="Send test alert").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Test alert queued")
    assert alerting.services.alerts.wait_idle(10)
    [event] = webhook.events
    assert (event["event"], event["alert"]) == ("alert_test", "test")
    assert event["api_key_id"].startswith("console:")
    page.reload()
    delivered = page.locator(".card").filter(has_text="Delivered")
    expect(delivered).to_contain_text("1")
    shoot(page, "failures")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("code=Not%20A%20Code", "code"),
        ("tool=%3Cscript%3E", "tool"),
        ("before=-3", "before"),
        ("before=abc", "before"),
        ("person=owner@example.com", "person"),
        ("code=a&code=b", "code"),
    ],
)
def test_bad_filters_are_a_400_page_naming_the_parameter(
    page: Page, site: Site, query: str, parameter: str
) -> None:
    sign_in(page, site, "owner@example.com")
    answer = page.goto(f"{site.base}{FAILURES}?{query}")
    assert answer is not None and answer.status == 400
    expect(page.get_by_role("alert")).to_contain_text(f"'{parameter}'")
    assert "<script>" not in page.content()


@pytest.mark.parametrize("email", ["member@example.com", "reviewer@example.com"])
def test_only_owners_see_failures_or_send_test_alerts(page: Page, site: Site, email: str) -> None:
    sign_in(page, site, email)
    expect(page.get_by_role("link", name="Failures and alerts")).to_have_count(0)
    answer = page.goto(site.base + FAILURES)
    assert answer is not None and answer.status == 403
    page.goto(site.base + "/console")
    token = page.locator("form.signout input[name=csrf_token]").get_attribute("value") or ""
    posted = page.request.post(site.base + FAILURES + "/test-alert", form={"csrf_token": token})
    assert posted.status == 403
