"""Server log lines: the request id on each, and never a secret, in JSON and in text."""

from __future__ import annotations

import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from draftroom.adapters.logs import log_config, redact, request_id
from draftroom.domain.calls import Services
from tests.support.api import Api, start_sandbox

KEY = "drk_abcdefghijkl_" + "A" * 43
TOKEN = "drt_mnopqrstuvwx_" + "b-_9" * 10 + "xyz"


@pytest.mark.parametrize(
    "line",
    [
        f"Authorization: Bearer {KEY}",
        f"headers={{'authorization': 'Bearer {KEY}'}}",
        f'"GET /files/read?reuse_token={TOKEN}&path=a HTTP/1.1" 405',
        f"calling with {TOKEN} now",
        "redis://:hunter2@redis:6379/0 refused",
        "token=abc&client_secret=s3cr3t&code=xyz",
        "Cookie: draftroom_session=hunter2",
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJodW50ZXIyIn0.c2lnbmF0dXJl",
    ],
)
def test_secrets_are_redacted_from_any_line(line: str) -> None:
    cleaned = redact(line)
    for secret in (KEY, TOKEN, "hunter2", "s3cr3t", "xyz", "eyJzdWIiOiJodW50ZXIyIn0"):
        assert secret not in cleaned
    assert "[redacted]" in cleaned


def test_plain_words_are_kept() -> None:
    line = "tool files.write failed: invalid reuse token for sandbox agent/abc (request 12ab)"
    assert redact(line) == line


@pytest.fixture
def captured(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Configure logging as ``serve`` does (format from the parameter) and capture lines."""
    lines: list[str] = []
    root = logging.getLogger()
    kept, level = list(root.handlers), root.level
    logging.config.dictConfig(log_config(request.param))
    handler = root.handlers[0]
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    yield lines
    root.handlers[:] = kept
    root.setLevel(level)


@pytest.mark.parametrize("captured", ["json"], indirect=True)
def test_json_lines_carry_the_request_id_of_the_call(
    captured: list[str], api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    missing = api.client.post(
        "/files/read", json={**sb, "path": "nope"}, headers={"Authorization": f"Bearer {KEY}"}
    )
    assert missing.status_code == 401
    found = [json.loads(line) for line in captured]
    failed = [line for line in found if line["logger"] == "draftroom.audit"]
    assert [line["request_id"] for line in failed] == [missing.headers["x-request-id"]]
    assert all(set(line) >= {"at", "level", "logger", "request_id", "message"} for line in found)
    assert not any(sb["reuse_token"] in line or KEY in line for line in captured)
    assert request_id.get() is None  # bound only while the request is served


@pytest.mark.parametrize("captured", ["text"], indirect=True)
def test_text_lines_name_the_request_and_hide_secrets(captured: list[str]) -> None:
    token = request_id.set("req-123")
    try:
        logging.getLogger("draftroom.test").warning("sent Authorization: Bearer %s", KEY)
    finally:
        request_id.reset(token)
    assert captured[-1].endswith("WARNING draftroom.test [req-123] sent Authorization: [redacted]")
    assert KEY not in captured[-1]
