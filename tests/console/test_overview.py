"""The overview at ``/console``: the org's numbers for an owner, a member's own, the chart."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect
from tests.support.api import Api, start_sandbox, write
from tests.support.console import Site, shoot, sign_in, walk_with_keyboard

from draftroom import store

_BARS = """() => [...document.querySelectorAll('svg.chart g.hour')].map(g => ({
  title: g.querySelector('title').textContent,
  height: Number(g.querySelector('rect.bar:not(.failed)').getAttribute('height')),
  failed: Number(g.querySelector('rect.bar.failed')?.getAttribute('height') ?? 0),
}))"""


def _work(api: Api, *, writes: int, failures: int, rollback: bool, merge: bool) -> int:
    """Calls through the public API as one person; how many were made."""
    sandbox = start_sandbox(api)
    shas = [write(api, sandbox, f"notes/{n}.md", f"note {n}\n") for n in range(writes)]
    for _ in range(failures):
        api.post("/files/read", expect=404, **sandbox, path="missing.md")
    if rollback:
        api.post("/git/rollback_commit", **sandbox, commit_sha=shas[0], reason="not needed")
    if merge:
        api.post("/merge/request", expect=201, **sandbox, title="Notes")
    return 1 + writes + failures + rollback + merge


def _cells(page: Page, row: str) -> list[str]:
    return [cell.strip() for cell in page.locator(f"tr#{row} td").all_inner_texts()]


def _value(page: Page, name: str) -> str:
    return page.locator(f"#{name}").inner_text()


def _others(site: Site) -> int:
    """Calls of the org not made by its people's keys (the admin's, setting the site up)."""
    with site.services.database.session() as session:
        return sum(1 for e in store.list_audit_events(session, limit=10_000) if e.user_id is None)


def test_an_owner_sees_the_orgs_numbers_and_a_member_only_their_own(page: Page, site: Site) -> None:
    member = _work(site.key("member@example.com"), writes=2, failures=1, rollback=True, merge=True)
    owner = _work(site.key("owner@example.com"), writes=1, failures=2, rollback=False, merge=False)
    assert (member, owner) == (6, 4)
    admin = _others(site)  # adding people and keys
    sign_in(page, site, "owner@example.com")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    assert (_value(page, "active-today"), _value(page, "active-week")) == ("2", "2")
    assert _cells(page, "calls") == [str(member + owner + admin)] * 2
    rate = f"{3 / (member + owner + admin) * 100:.1f}%"
    assert _cells(page, "failed") == [f"3 ({rate})"] * 2
    assert _cells(page, "commits") == ["3", "3"]
    assert _cells(page, "rollbacks") == ["1", "1"]
    assert _value(page, "merge-requests-waiting") == "1"
    assert [_value(page, f"upstream-{s}") for s in ("pending", "failed", "diverged")] == ["0"] * 3
    shoot(page, "overview")
    walk_with_keyboard(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, "member@example.com")
    expect(page.get_by_text("Your own activity")).to_be_visible()
    assert (_value(page, "active-today"), _value(page, "active-week")) == ("1", "1")
    assert _cells(page, "calls") == ["6", "6"]
    assert _cells(page, "failed") == ["1 (16.7%)"] * 2
    assert (_cells(page, "commits"), _cells(page, "rollbacks")) == (["2", "2"], ["1", "1"])
    assert _value(page, "merge-requests-waiting") == "1"
    bars = _bars(page)
    assert sum(bar["calls"] for bar in bars) == 6 and sum(bar["failed_calls"] for bar in bars) == 1


def _bars(page: Page) -> list[dict[str, Any]]:
    """Each bar's counts (from its title) and heights; heights are proportional to counts."""
    bars: list[dict[str, Any]] = page.evaluate(_BARS)
    assert len(bars) == 7 * 24
    for bar in bars:
        found = re.search(r": (\d+) calls?, (\d+) failed$", bar["title"])
        assert found, bar["title"]
        bar["calls"], bar["failed_calls"] = int(found[1]), int(found[2])
    tallest = max(bars, key=lambda bar: bar["calls"])
    per_call = tallest["height"] / tallest["calls"]
    assert tallest["height"] > 75  # the y axis tops at the next 1, 2 or 5 above the tallest
    for bar in bars:
        assert abs(bar["height"] - bar["calls"] * per_call) < 0.02, bar
        assert abs(bar["failed"] - bar["failed_calls"] * per_call) < 0.02, bar
    return bars


def test_the_chart_draws_one_bar_per_hour_with_failed_calls_at_its_foot(
    page: Page, site: Site
) -> None:
    _work(site.key("owner@example.com"), writes=3, failures=2, rollback=False, merge=False)
    sign_in(page, site, "owner@example.com")
    bars = _bars(page)
    assert sum(bar["failed_calls"] for bar in bars) == 2
    assert all(bar["calls"] == 0 for bar in bars[:-2])  # everything happened just now
    chart = page.get_by_role("img", name=re.compile("Tool calls per hour"))
    expect(chart).to_be_visible()
    # The same numbers as a table, for readers who cannot see the chart.
    page.get_by_text("The chart as a table").click()
    rows = page.locator("details.chart-table tbody tr")
    counted = sum(int(rows.nth(n).locator("td").nth(1).inner_text()) for n in range(rows.count()))
    assert counted == sum(bar["calls"] for bar in bars)


def test_the_overview_asks_for_a_sign_in(site: Site) -> None:
    answer = site.http.get("/console", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/sign-in")
