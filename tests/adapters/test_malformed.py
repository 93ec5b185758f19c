"""Malformed input is a typed 4xx, never a 500; a 500 that does happen leaves its traceback."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from draftroom.domain.calls.services import Services
from draftroom.git import Repository
from tests.support.api import Api, error, start_sandbox


def raw_post(api: Api, route: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """POST ``body`` as JSON text, escapes and all (httpx refuses to encode a lone surrogate)."""
    headers = {**api.headers, "content-type": "application/json"}
    response = api.client.post(route, content=json.dumps(body), headers=headers)
    data: dict[str, Any] = response.json()
    return response.status_code, data


@pytest.mark.parametrize("token", ["valid", "bogus"])
@pytest.mark.parametrize(
    ("route", "fields"),
    [
        ("/files/write", {"path": "a.txt", "content": "\udcff", "message": "m"}),
        ("/files/write", {"path": "a.txt", "content": "ok \ud800 ok", "message": "m"}),
        ("/git/commit", {"message": "m", "changes": [{"path": "a", "content": "\udfff"}]}),
        ("/files/write", {"path": "a\udcff", "content": "x", "message": "m"}),
        ("/files/write", {"path": "a.txt", "content": "x", "message": "\udcff"}),
    ],
)
def test_a_lone_surrogate_is_a_4xx_not_a_500(
    app: tuple[Api, Services], token: str, route: str, fields: dict[str, Any]
) -> None:
    api, _ = app
    sb = start_sandbox(api)
    if token == "bogus":
        sb["reuse_token"] = "drt_aaaaaaaaaaaa_" + "A" * 43
    status, body = raw_post(api, route, {**sb, **fields})
    assert status in (400, 422), body
    assert error(body)["code"] in ("invalid_input", "invalid_request")


def test_an_unexpected_failure_logs_its_traceback(
    app: tuple[Api, Services], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    api, _ = app
    sb = start_sandbox(api)

    def broken(self: Repository, ref: str, path: str) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Repository, "read_file", broken)
    with caplog.at_level(logging.ERROR, logger="draftroom.errors"):
        body = api.post("/files/read", **sb, path="README.md", expect=500)
    assert error(body)["code"] == "internal_error"
    records = [r for r in caplog.records if r.name == "draftroom.errors"]
    assert len(records) == 1 and records[0].exc_info is not None
    assert "disk on fire" in caplog.text and "Traceback" in caplog.text
    assert body["error"]["request_id"] in records[0].getMessage()
