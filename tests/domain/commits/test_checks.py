"""Limits on request bodies, files, commits, sandbox size and commit rate: typed 413/429."""

from __future__ import annotations

import base64
from collections.abc import Iterator

from draftroom.domain.calls import Principal, Services
from draftroom.errors import PayloadTooLarge
from draftroom.tools import build_registry
from tests.support.api import REPO, Api, AppFactory, error, start_sandbox


def test_a_declared_body_over_the_limit_is_413_before_it_is_read(make_app: AppFactory) -> None:
    api, _ = make_app(max_request_bytes=4096)
    sb = start_sandbox(api)
    response = api.client.post(
        "/files/write",
        json={**sb, "path": "big.txt", "content": "x" * 5000, "message": "m"},
        headers=api.headers,
    )
    assert response.status_code == 413
    assert error(response.json())["code"] == "payload_too_large"
    assert error(response.json())["details"] == {"limit": 4096}


def test_a_streamed_body_without_length_is_counted_and_cut_off(make_app: AppFactory) -> None:
    api, _ = make_app(max_request_bytes=4096)
    sb = start_sandbox(api)
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        yield b'{"repo_name": "demo", "reuse_token": "' + sb["reuse_token"].encode() + b'", '
        yield b'"path": "big.txt", "message": "m", "content": "'
        for _ in range(100):
            sent.append(1)
            yield b"y" * 1000
        yield b'"}'

    response = api.client.post(
        "/files/write",
        content=chunks(),
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert error(response.json())["code"] == "payload_too_large"
    assert "more than 4096" in error(response.json())["message"]
    names = [e["path"] for e in api.post("/files/list", **sb)["entries"]]
    assert "big.txt" not in names


def test_a_body_under_the_limit_passes(make_app: AppFactory) -> None:
    api, _ = make_app(max_request_bytes=4096)
    sb = start_sandbox(api)
    api.post("/files/write", **sb, path="ok.txt", content="x" * 1000, message="m")


def test_a_file_over_the_per_file_limit_is_413_naming_it(make_app: AppFactory) -> None:
    api, _ = make_app(max_file_bytes=100)
    sb = start_sandbox(api)
    content = base64.b64encode(b"\x00" * 101).decode()
    body = api.post(
        "/files/write",
        **sb,
        path="blob.bin",
        content=content,
        encoding="base64",
        message="m",
        expect=413,
    )
    assert error(body)["code"] == "payload_too_large"
    assert error(body)["details"] == {"path": "blob.bin", "limit": 100, "size": 101}
    api.post("/files/write", **sb, path="fits.txt", content="x" * 100, message="m")


def test_too_many_files_in_one_commit_is_413(make_app: AppFactory) -> None:
    api, _ = make_app(max_files_per_commit=3)
    sb = start_sandbox(api)
    changes = [{"path": f"f{i}.txt", "content": str(i)} for i in range(4)]
    body = api.post("/git/commit", **sb, message="m", changes=changes, expect=413)
    assert error(body)["details"] == {"limit": 3, "files": 4}
    api.post("/git/commit", **sb, message="m", changes=changes[:3])


def test_a_sandbox_cannot_grow_past_its_size_but_can_shrink(make_app: AppFactory) -> None:
    api, services = make_app(max_sandbox_bytes=3000)
    sb = start_sandbox(api)
    api.post("/files/write", **sb, path="a.txt", content="a" * 1500, message="m")
    body = api.post("/files/write", **sb, path="b.txt", content="b" * 1500, message="m", expect=413)
    assert error(body)["code"] == "payload_too_large"
    assert error(body)["details"]["limit"] == 3000
    # replacing a file with a bigger one counts only the growth
    api.post("/files/write", **sb, path="a.txt", content="a" * 1600, message="m")
    api.post("/git/commit", **sb, message="m", changes=[{"path": "a.txt", "delete": True}])
    api.post("/files/write", **sb, path="b.txt", content="b" * 1500, message="m")
    repo = services.git(services.settings.repos_dir / "demo.git")
    assert repo.tree_size(sb["branch"]) <= 3000


def test_commits_past_the_rate_are_429_with_retry_after(make_app: AppFactory) -> None:
    api, _ = make_app(max_commits_per_minute=3)
    sb = start_sandbox(api)
    other = start_sandbox(api)
    for i in range(3):
        api.post("/files/write", **sb, path=f"{i}.txt", content=str(i), message="m")
    response = api.client.post(
        "/files/write",
        json={**sb, "path": "3.txt", "content": "3", "message": "m"},
        headers=api.headers,
    )
    assert response.status_code == 429
    assert error(response.json())["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    body = api.post("/git/rollback_commit", **sb, commit_sha=_head(api, sb), expect=429)
    assert error(body)["code"] == "rate_limited"
    # reads go on, and another token's sandbox has its own budget
    api.post("/files/read", **sb, path="0.txt")
    api.post("/files/write", **other, path="x.txt", content="x", message="m")


def _head(api: Api, sb: dict[str, str]) -> str:
    head: str = api.post("/sandbox/status", **sb)["head"]
    return head


def test_mcp_and_every_transport_get_the_same_limits(make_app: AppFactory) -> None:
    api, services = make_app(max_file_bytes=10)
    sb = start_sandbox(api)
    with services.database.session() as session:
        from draftroom.domain.access import authenticate_api_key

        key = authenticate_api_key(session, api.headers["Authorization"].split()[1])
        principal = Principal(api_key_id=key.id, org_id=key.org_id, role=key.role)
    registry = build_registry()
    tool = registry.get("files.write")
    payload = {**sb, "repo_name": REPO, "path": "x.txt", "content": "x" * 11, "message": "m"}
    try:
        registry.invoke(tool, services, principal, payload, transport="mcp")
    except PayloadTooLarge as exc:
        assert exc.details["limit"] == 10
    else:
        raise AssertionError("an oversized file was accepted over MCP")


def test_limits_have_documented_defaults(app: tuple[Api, Services]) -> None:
    from pathlib import Path

    settings = app[1].settings
    doc = (Path(__file__).parents[3] / "docs" / "security.md").read_text()
    for name in (
        "max_request_bytes",
        "max_file_bytes",
        "max_files_per_commit",
        "max_sandbox_bytes",
        "max_commits_per_minute",
        "token_failures_before_lockout",
        "token_lockout_seconds",
        "token_grace_days",
        "allow_case_collisions",
        "alert_webhook_url",
    ):
        env = f"DRAFTROOM_{name.upper()}"
        default = getattr(settings, name)
        shown = "unset" if default is None else str(default).lower()
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{env}`")), "")
        assert f"`{shown}`" in row, f"{env} and its default `{shown}` belong in one table row"
