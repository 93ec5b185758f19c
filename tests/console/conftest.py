"""Browser fixtures: one chromium per test module, a fresh page (and its cookies) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tests.support.console import CHROMIUM, Site


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module, not session: Playwright's sync API keeps an asyncio loop on this thread while
    # it runs, which would refuse other tests' ``asyncio.run`` on the same worker.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A live draftroom (SQLite) with an owner, a reviewer and two members."""
    with Site(tmp_path / "data") as site:
        site.person("owner@example.com", "owner", "Olive Owner")
        site.person("reviewer@example.com", "reviewer", "Rui Reviewer")
        site.person("member@example.com", "member", "Mia Member")
        site.person("other@example.com", "member", "Omar Other")
        yield site
