"""Failures are visible: a JSON log line each, per-process counts, /admin/errors, a webhook."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from draftroom.config import Settings
from draftroom.domain.calls import AlertSender
from tests.support.api import Api, AppFactory, error, new_key, start_sandbox


def test_every_failed_call_is_one_json_log_line_without_secrets(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    api, _ = make_app()
    sb = start_sandbox(api)
    caplog.set_level(logging.WARNING, logger="draftroom.audit")
    body = api.post("/files/read", **sb, path="missing.txt", expect=404)
    lines = [r.getMessage() for r in caplog.records if r.name == "draftroom.audit"]
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event == {
        "event": "tool_failed",
        "request_id": error(body)["request_id"],
        "tool": "files.read",
        "code": "path_not_found",
        "status": 404,
        "repo": "demo",
        "branch": sb["branch"],
        "duration_ms": event["duration_ms"],
        "transport": "http",
        "writes": False,
    }
    assert sb["reuse_token"] not in lines[0] and "Bearer" not in lines[0]


def test_admin_errors_counts_this_process_and_lists_recent_failures(
    make_app: AppFactory,
) -> None:
    admin, services = make_app(role="admin")
    agent = Api(admin.client, new_key(services))
    sb = start_sandbox(agent)
    agent.post("/files/read", **sb, path="nope", expect=404)
    agent.post("/files/read", **sb, path="../x", expect=400)
    agent.post("/files/read", **sb, path="nope2", expect=404)
    response = admin.client.get("/admin/errors", params={"limit": 2}, headers=admin.headers)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["counts"] == {"path_not_found": 2, "invalid_path": 1}
    assert out["total"] == 3
    assert [f["error_code"] for f in out["recent"]] == ["path_not_found", "invalid_path"]
    assert out["recent"][0]["branch"] == sb["branch"]
    denied = agent.client.get("/admin/errors", headers=agent.headers)
    assert denied.status_code == 403


class Webhook:
    """A real HTTP server that fails the first ``failures`` posts, then records events."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts = 0
        self.events: list[dict[str, Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                data = json.loads(self.rfile.read(length))
                hook.attempts += 1
                if hook.attempts <= hook.failures:
                    self.send_response(503)
                else:
                    hook.events.append(data)
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook(failures=2)
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


def test_a_failed_write_reaches_the_alert_webhook_after_retries(
    make_app: AppFactory, webhook: Webhook
) -> None:
    api, services = make_app(alert_webhook_url=webhook.url)
    services.alerts.first_backoff = 0.05
    sb = start_sandbox(api)
    api.post("/files/read", **sb, path="nope", expect=404)  # a failed read: no alert
    body = api.post("/files/write", **sb, path="../x", content="x", message="m", expect=400)
    assert services.alerts.wait_idle(10)
    assert webhook.attempts == 3
    assert len(webhook.events) == 1
    event = webhook.events[0]
    assert event["tool"] == "files.write" and event["code"] == "invalid_path"
    assert event["request_id"] == error(body)["request_id"]
    assert sb["reuse_token"] not in json.dumps(event)


def test_the_webhook_never_slows_a_request() -> None:
    # allow_private: the sender really tries (and backs off), rather than refusing the
    # address at once and draining the queue before the check below can see it busy.
    sender = AlertSender(
        "http://127.0.0.1:9/unreachable", attempts=2, first_backoff=0.5, allow_private=True
    )
    import time

    started = time.perf_counter()
    for i in range(50):
        sender.send({"n": i})
    assert time.perf_counter() - started < 0.5
    assert sender.wait_idle(0.01) is False
    sender.close()
    assert sender.wait_idle(5)


def test_refusals_before_the_tool_runs_are_logged_and_counted_once(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    admin, services = make_app(role="admin")
    caplog.set_level(logging.WARNING, logger="draftroom.audit")
    bad_key = {"Authorization": "Bearer drk_" + "a" * 12 + "_" + "b" * 43}
    assert admin.client.post("/sandbox/status", json={}, headers=bad_key).status_code == 401
    response = admin.client.post("/files/read", json={"path": 3}, headers=admin.headers)
    assert response.status_code == 422
    agent = Api(admin.client, new_key(services))
    sb = start_sandbox(agent)
    agent.post("/files/read", **sb, path="nope", expect=404)
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "draftroom.audit"]
    assert [(e["tool"], e["code"]) for e in events] == [
        ("sandbox.status", "unauthorized"),
        ("files.read", "invalid_request"),
        ("files.read", "path_not_found"),
    ]
    assert services.failures.snapshot() == {
        "unauthorized": 1,
        "invalid_request": 1,
        "path_not_found": 1,
    }


def test_an_agent_calling_an_admin_tool_is_alerted_naming_its_key(
    make_app: AppFactory, webhook: Webhook
) -> None:
    webhook.failures = 0
    api, services = make_app(alert_webhook_url=webhook.url)
    agent_id = api.headers["Authorization"].split("_")[1]
    for route in ("/admin/keys/zzzzzzzzzzzz/revoke", "/admin/tokens/revoke"):
        refused = api.post(route, expect=403, token_id="x")
        assert error(refused)["code"] == "insufficient_scope"
    assert api.client.get("/admin/keys", headers=api.headers).status_code == 403
    assert services.alerts.wait_idle(10)
    assert [(e["alert"], e["tool"], e["api_key_id"]) for e in webhook.events] == [
        ("refused_admin_call", "admin.keys.revoke", agent_id),
        ("refused_admin_call", "admin.tokens.revoke", agent_id),
        ("refused_admin_call", "admin.keys.list", agent_id),
    ]
    assert all(e["code"] == "insufficient_scope" and e["status"] == 403 for e in webhook.events)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "file:///etc/passwd",
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest",
        "https://[::1]/hook",
        "https://[::ffff:192.168.0.1]/hook",
        "https://user:pw@example.com/hook",
        "not a url",
    ],
)
def test_the_webhook_url_must_be_https_to_a_public_host(url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="DRAFTROOM_ALERT_WEBHOOK_URL"):
        Settings(data_dir=tmp_path, alert_webhook_url=url, allow_private_urls=False)


def test_private_webhooks_only_when_allowed(tmp_path: Path) -> None:
    allowed = Settings(
        data_dir=tmp_path, alert_webhook_url="http://127.0.0.1:9/hook", allow_private_urls=True
    )
    assert allowed.alert_webhook_url == "http://127.0.0.1:9/hook"
    with pytest.raises(ValueError, match="must use https"):
        Settings(
            data_dir=tmp_path, alert_webhook_url="http://example.com/", allow_private_urls=True
        )
    assert Settings(data_dir=tmp_path, alert_webhook_url="https://203.0.113.9/hook")


def test_a_webhook_resolving_to_a_private_address_later_gets_nothing() -> None:
    sender = AlertSender("https://127.0.0.1:9/hook", attempts=1, allow_private=False)
    sender.send({"n": 1})
    assert sender.wait_idle(5)
    assert (sender.delivered, sender.dropped) == (0, 1)


def test_a_test_alert_reaches_a_real_webhook_and_says_where(
    make_app: AppFactory, webhook: Webhook, database_url: str
) -> None:
    webhook.failures = 0
    admin, services = make_app(
        role="admin", alert_webhook_url=webhook.url + "?secret=s3", database_url=database_url
    )
    out = admin.post("/admin/alerts/test")
    assert out["configured"] and out["queued"]
    assert out["host"] == f"127.0.0.1:{webhook.server.server_port}"  # never the path or query
    assert services.alerts.wait_idle(10)
    [event] = webhook.events
    assert (event["event"], event["alert"]) == ("alert_test", "test")
    assert event["api_key_id"] == admin.headers["Authorization"].split("_")[1]
    assert admin.post("/admin/alerts/test")["delivered"] == 1
    agent = Api(admin.client, new_key(services))
    assert error(agent.post("/admin/alerts/test", expect=403))["code"] == "insufficient_scope"


def test_a_test_alert_without_a_webhook_says_none_is_configured(
    make_app: AppFactory, database_url: str
) -> None:
    admin, _ = make_app(role="admin", database_url=database_url)
    out = admin.post("/admin/alerts/test")
    assert out == {"configured": False, "queued": False, "host": None, "delivered": 0, "dropped": 0}
