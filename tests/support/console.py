"""A live draftroom for browser tests: uvicorn in a thread, an org of people with passwords,
and Playwright's chromium (Debian's ``/usr/bin/chromium``) signed in as one of them."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from playwright.sync_api import Page, expect

from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.repos.setup import setup_default
from tests.support.api import Api
from tests.support.server import free_port

PASSWORD = "correct horse battery staple"
CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(os.environ.get("DRAFTROOM_TEST_OUTPUT", Path(__file__).parents[2] / "test-output"))
"""Where browser tests save their screenshots (``test-output/console/*.png``)."""


class Site:
    """``draftroom serve``'s app on a free port, with its admin key's API at ``admin``."""

    def __init__(self, data_dir: Path, database_url: str | None = None, **settings: Any) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.settings = Settings(
            data_dir=data_dir, database_url=database_url, public_url=self.base, **settings
        )
        self.services = Services(self.settings)
        admin_key = setup_default(self.services)
        assert admin_key is not None
        self.http = httpx.Client(base_url=self.base, timeout=30)
        self.admin = Api(self.http, admin_key)  # type: ignore[arg-type]
        app = create_app(self.settings, self.services)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", loop="asyncio"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> Site:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            assert self._thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self.http.close()
        self.services.database.dispose()

    def person(self, email: str, role: str, name: str | None = None) -> dict[str, Any]:
        body = {"email": email, "role": role, "password": PASSWORD, "name": name}
        return self.admin.post("/admin/users", expect=201, **body)

    def key(self, email: str) -> Api:
        """A new API key acting for ``email``."""
        created = self.admin.post("/admin/keys", expect=201, user=email)
        return Api(self.http, created["key"])  # type: ignore[arg-type]


def sign_in(page: Page, site: Site, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{site.base}/console/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def shoot(page: Page, name: str) -> Path:
    """Save the whole page as ``test-output/console/NAME.png``."""
    path = OUTPUT / "console" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


_FOCUSABLE = """() => [...document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])'
)].filter(e => !e.disabled && e.offsetParent !== null).map(e => e.outerHTML.slice(0, 120))"""
_ACTIVE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  return {html: e.outerHTML.slice(0, 120), outline: style.outlineStyle, width: style.outlineWidth};
}"""


def walk_with_keyboard(page: Page) -> list[str]:
    """Tab through the page, round past its end: every link, button and field is reached, and
    each shows where the focus is (an outline). Returns what was focused, in order."""
    wanted = set(page.evaluate(_FOCUSABLE))
    seen: list[str] = []
    for _ in range(2 * len(wanted) + 5):
        page.keyboard.press("Tab")
        active = page.evaluate(_ACTIVE)
        if active is None:  # past the last element: the next Tab starts from the top
            continue
        if active["html"] in seen:
            break
        assert active["outline"] != "none" and active["width"] != "0px", (
            f"no visible focus on {active['html']}"
        )
        seen.append(active["html"])
    missing = wanted - set(seen)
    assert not missing, f"not reachable with Tab: {sorted(missing)}"
    return seen
