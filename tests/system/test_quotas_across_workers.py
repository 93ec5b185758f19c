"""Quotas and idempotency keys hold across the worker processes of one real server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.server import Server


@pytest.mark.slow
def test_quotas_and_idempotency_keys_hold_across_two_workers(tmp_path: Path) -> None:
    env = {"DRAFTROOM_MAX_SANDBOXES_PER_KEY": "3", "DRAFTROOM_MAX_SANDBOX_BYTES_PER_DAY": "3000"}
    with Server(tmp_path / "data", workers=2, env=env) as server:
        auth = {"Authorization": f"Bearer {server.admin_key}"}
        sandboxes = [server.start_sandbox() for _ in range(3)]
        with httpx.Client(base_url=server.base, headers=auth, timeout=30) as http:
            over = http.post("/sandbox/init", json={"repo_name": "demo"})
            assert over.status_code == 429 and over.json()["error"]["code"] == "quota_exceeded"
            sb = sandboxes[0]
            body = {**sb, "path": "a.txt", "content": "a" * 1000, "message": "m"}
            shas = {
                http.post("/files/write", json=body, headers={"Idempotency-Key": "one"}).json()[
                    "commit_sha"
                ]
                for _ in range(4)
            }
            assert len(shas) == 1
            for n in range(2):
                wrote = http.post("/files/write", json={**body, "path": f"{n}.txt"})
                assert wrote.status_code == 200, wrote.text
            refused = http.post("/files/write", json={**body, "path": "z.txt"})
    assert refused.status_code == 413 and "frees up at" in refused.json()["error"]["message"]
