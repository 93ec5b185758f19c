"""A real ``draftroom serve --workers 2``: /metrics sums every worker's counts, on the API
port (admin key) and on ``--metrics-port`` (no auth); JSON logs name the request and never
a secret."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.support.metrics import parse, scrape, value
from tests.support.server import Server, free_port

WRITES = 12


@pytest.mark.slow
def test_two_workers_count_into_one_scrape_and_log_json_without_secrets(tmp_path: Path) -> None:
    metrics_port = free_port()
    env = {"DRAFTROOM_LOG_FORMAT": "json"}
    server = Server(
        tmp_path / "data", workers=2, env=env, args=["--metrics-port", str(metrics_port)]
    )
    with server:
        key = server.admin_key
        sb = server.start_sandbox()
        auth = {"Authorization": f"Bearer {key}"}
        for n in range(WRITES):  # a new connection each: the kernel spreads them over workers
            body = {**sb, "path": f"{n}.txt", "content": f"{n}\n", "message": f"Add {n}"}
            wrote = httpx.post(f"{server.base}/files/write", json=body, headers=auth, timeout=30)
            assert wrote.status_code == 200, wrote.text
        missing = httpx.post(
            f"{server.base}/files/read", json={**sb, "path": "nope"}, headers=auth, timeout=30
        )
        assert missing.status_code == 404
        leaked = httpx.get(f"{server.base}/files/read?reuse_token={sb['reuse_token']}", timeout=30)
        assert leaked.status_code == 405
        scrapes = []
        for _ in range(4):  # whichever worker answers, the same totals
            with httpx.Client(base_url=server.base, timeout=30) as http:
                scrapes.append(scrape(http, key))
        open_port = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=30)
        refused = httpx.get(f"{server.base}/metrics", timeout=30)
        assert refused.status_code == 401
    assert open_port.status_code == 200
    for samples in [*scrapes, parse(open_port.text)]:
        calls = "draftroom_tool_calls_total"
        assert value(samples, calls, tool="files.write", status="ok") == WRITES
        assert value(samples, calls, tool="files.read", status="path_not_found") == 1
        assert value(samples, calls, tool="sandbox.init", status="ok") == 1
        assert value(samples, "draftroom_commits_total") == WRITES
        assert (
            value(samples, "draftroom_tool_call_duration_seconds_count", tool="files.write")
            == WRITES
        )

    lines = [json.loads(line) for line in server.log.read_text().splitlines()]
    assert {"at", "level", "logger", "request_id", "message"} <= set(lines[-1])
    ids = {line["request_id"] for line in lines if line["logger"] == "uvicorn.access"}
    assert missing.headers["x-request-id"] in ids and leaked.headers["x-request-id"] in ids
    failed = [line for line in lines if '"tool_failed"' in line["message"]]
    assert [line["request_id"] for line in failed] == [
        missing.headers["x-request-id"],
        refused.headers["x-request-id"],
    ]
    text = server.log.read_text()
    assert key not in text and sb["reuse_token"] not in text
    assert "reuse_token=[redacted]" in text
