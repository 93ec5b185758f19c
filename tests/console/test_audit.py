"""The audit page: the org's trail filtered by person, tool, sandbox and time, paged newest
first, and exported (CSV, JSON lines) with the same filters. Owners only."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from tests.support.api import Api, start_sandbox, write
from tests.support.console import Site, shoot, sign_in, walk_with_keyboard

from draftroom import store
from draftroom.domain.access import issue_api_key

AUDIT = "/console/audit"
COLUMNS = [
    "id", "at", "org", "user", "key_id", "tool", "repo", "branch", "status", "code",
    "commit_sha", "request_id", "duration_ms", "prev_hash", "hash",
]  # fmt: skip


def rows(page: Page) -> list[list[str]]:
    cells = page.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    return [row for row in cells if len(row) > 1]


def test_the_trail_is_filtered_by_person_tool_sandbox_and_time(page: Page, site: Site) -> None:
    member, other = site.key("member@example.com"), site.key("other@example.com")
    mine, theirs = start_sandbox(member), start_sandbox(other)
    sha = write(member, mine, "notes.md", "hello\n")
    write(other, theirs, "notes.md", "theirs\n")
    member.post("/files/read", **mine, path="nope.txt", expect=404)
    sign_in(page, site, "owner@example.com")
    page.goto(site.base + AUDIT)
    walk_with_keyboard(page)

    page.get_by_label("Person (email)").fill("member@example.com")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"person=member%40example\.com"))
    found = rows(page)
    assert {row[2] for row in found} == {"member@example.com"}
    assert [row[4] for row in found] == ["files.read", "files.write", "sandbox.init"]
    assert found[1][7] == sha[:12] and "path_not_found" in found[0][6]

    page.get_by_label("Tool").fill("files.write")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"tool=files\.write"))
    assert [row[4] for row in rows(page)] == ["files.write"]
    page.goto(f"{site.base}{AUDIT}?tool=files.write&branch={theirs['branch']}&repo=demo")
    [row] = rows(page)
    assert row[2] == "other@example.com" and theirs["branch"] in row[5]
    page.goto(f"{site.base}{AUDIT}?repo=elsewhere")
    expect(page.locator("tbody")).to_contain_text("No audit rows match these filters")

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    today = datetime.now(UTC).date().isoformat()
    page.goto(f"{site.base}{AUDIT}?since={tomorrow}")
    assert rows(page) == []
    page.goto(f"{site.base}{AUDIT}?since={today}&until={today}&person=other@example.com")
    assert [row[4] for row in rows(page)] == ["files.write", "sandbox.init"]
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.goto(f"{site.base}{AUDIT}?until={an_hour_ago}")
    assert rows(page) == []
    page.goto(f"{site.base}{AUDIT}?person=member@example.com")
    shoot(page, "audit")


def test_the_trail_is_paged_newest_first(page: Page, site: Site) -> None:
    member = site.key("member@example.com")
    sb = start_sandbox(member)
    for n in range(60):
        member.post("/files/read", **sb, path=f"gone-{n}.txt", expect=404)
    sign_in(page, site, "owner@example.com")
    page.goto(f"{site.base}{AUDIT}?tool=files.read")
    first = rows(page)
    assert len(first) == 50
    ids = [int(row[0]) for row in first]
    assert ids == sorted(ids, reverse=True)
    page.get_by_role("link", name="Older rows").click()
    assert "tool=files.read" in page.url and f"before={ids[-1]}" in page.url
    second = rows(page)
    assert len(second) == 10 and int(second[0][0]) < ids[-1]
    expect(page.get_by_role("link", name="Older rows")).to_have_count(0)


def test_the_export_streams_the_filtered_rows_as_csv_and_json_lines(page: Page, site: Site) -> None:
    member = site.key("member@example.com")
    sb = start_sandbox(member)
    sha = write(member, sb, "a.md", "a\n")
    member.post("/files/read", **sb, path="nope.txt", expect=404)
    site.key("other@example.com")
    sign_in(page, site, "owner@example.com")
    page.goto(f"{site.base}{AUDIT}?person=member@example.com")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "audit-default.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == COLUMNS
    assert [r["tool"] for r in table] == ["files.read", "files.write", "sandbox.init"]
    assert {r["user"] for r in table} == {"member@example.com"}
    assert {r["org"] for r in table} == {"default"}
    assert (table[0]["status"], table[0]["code"]) == ("error", "path_not_found")
    assert (table[1]["status"], table[1]["commit_sha"]) == ("ok", sha)
    assert table[1]["repo"] == "demo" and table[1]["branch"] == sb["branch"]

    answer = page.request.get(f"{site.base}/console/audit/export?format=jsonl&tool=files.write")
    assert answer.status == 200 and answer.headers["cache-control"] == "no-store"
    [record] = [json.loads(line) for line in answer.text().splitlines()]
    assert list(record) == COLUMNS and record["commit_sha"] == sha
    assert record["user"] == "member@example.com" and record["key_id"] and record["hash"]
    with site.services.database.session() as session:  # the export itself is audited
        exports = session.scalars(
            select(store.AuditEvent).where(store.AuditEvent.tool == "admin.audit.export")
        ).all()
    assert [e.detail["transport"] for e in exports] == ["console", "console"]


def test_a_large_export_is_read_in_chunks_and_complete(page: Page, site: Site) -> None:
    member = site.key("member@example.com")
    sb = start_sandbox(member)
    for n in range(1_120):  # more than two export chunks of 500
        member.post("/files/read", **sb, path=f"x{n}", expect=404)
    sign_in(page, site, "owner@example.com")
    answer = page.request.get(f"{site.base}/console/audit/export?format=jsonl&tool=files.read")
    ids = [json.loads(line)["id"] for line in answer.text().splitlines()]
    assert len(ids) == len(set(ids)) == 1_120 and ids == sorted(ids, reverse=True)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("since=yesterday", "since"),
        ("until=2026-13-01", "until"),
        ("since=2026-12-04&until=2026-12-01", "until"),
        ("until=9999-12-31", "until"),
        ("person=nobody@example.com", "person"),
        ("person=a%0Ab@example.com", "person"),
        ("tool=files.read&tool=files.write", "tool"),
        ("colour=red", "colour"),
        ("before=0", "before"),
        ("branch=" + "b" * 300, "branch"),
    ],
)
def test_bad_filters_are_a_400_page_naming_the_parameter(
    page: Page, site: Site, query: str, parameter: str
) -> None:
    sign_in(page, site, "owner@example.com")
    for path in (AUDIT, AUDIT + "/export"):
        suffix = "" if path == AUDIT else "&format=csv"
        answer = page.goto(f"{site.base}{path}?{query}{suffix}")
        assert answer is not None and answer.status == 400, path
        expect(page.get_by_role("alert")).to_contain_text(f"'{parameter}'")


def test_the_export_needs_one_known_format(page: Page, site: Site) -> None:
    sign_in(page, site, "owner@example.com")
    for query in ("", "format=xml", "format=csv&format=jsonl"):
        answer = page.request.get(f"{site.base}{AUDIT}/export?{query}")
        assert answer.status == 400 and "'format'" in html.unescape(answer.text())


def test_another_orgs_people_and_rows_stay_out_of_sight(page: Page, site: Site) -> None:
    with site.services.database.session() as session:
        rival = store.add_org(session, "rival")
        _, key = issue_api_key(session, rival.id, "admin")
    rival_admin = Api(site.http, key)  # type: ignore[arg-type]
    rival_admin.post("/admin/users", expect=201, email="member@example.com", role="member")
    rival_admin.post("/admin/users", expect=201, email="stranger@example.com", role="member")
    rival_admin.get("/admin/users")
    site.key("member@example.com").post("/sandbox/status", expect=422)
    sign_in(page, site, "owner@example.com")
    page.goto(f"{site.base}{AUDIT}?tool=admin.users.list")
    assert rows(page) == []  # only the rival's admin listed people
    page.goto(f"{site.base}{AUDIT}?person=member@example.com")
    assert [row[4] for row in rows(page)] == ["sandbox.status"]
    answer = page.goto(f"{site.base}{AUDIT}?person=stranger@example.com")
    assert answer is not None and answer.status == 400  # like nobody at all
    exported = page.request.get(f"{site.base}{AUDIT}/export?format=jsonl")
    records = [json.loads(line) for line in exported.text().splitlines()]
    assert records and {r["org"] for r in records} == {"default"}
    assert "admin.users.list" not in {r["tool"] for r in records}


@pytest.mark.parametrize("email", ["member@example.com", "reviewer@example.com"])
def test_only_owners_read_the_trail(page: Page, site: Site, email: str) -> None:
    sign_in(page, site, email)
    expect(page.get_by_role("link", name="Audit")).to_have_count(0)
    for path in (AUDIT, AUDIT + "/export?format=csv"):
        answer = page.request.get(site.base + path)
        assert answer.status == 403, path
        assert "request_id" not in answer.text()
    for path in (AUDIT, AUDIT + "/export?format=csv"):
        signed_out = httpx.get(site.base + path)  # no cookie: to the sign-in form
        assert signed_out.status_code == 303
        assert signed_out.headers["location"].startswith("/console/sign-in?next=")
