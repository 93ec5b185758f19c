"""Each check of a write runs once, in one place, and answers the same from every transport."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import anyio
import httpx2
import pytest

from draftroom.config import Settings
from draftroom.domain.calls.services import Services
from draftroom.domain.repos.setup import setup_default
from draftroom.domain.workspace import parse_cache
from draftroom.git import Repository, paths
from tests.adapters.test_mcp import CallTool, http_mcp_client, over_http, over_mcp, serving
from tests.support.api import Api, error, new_key, start_project, start_sandbox
from tests.support.trees import repo_of

REPO = "demo"


@contextmanager
def counting_path_checks() -> Iterator[Counter[str]]:
    """Count calls of the engine's ``validate_path`` per path, wherever it was imported."""
    seen: Counter[str] = Counter()
    real = paths.validate_path

    def counted(path: str) -> str:
        seen[path] += 1
        return real(path)

    holders = [
        name
        for name, module in list(sys.modules.items())
        if name.startswith("draftroom") and getattr(module, "validate_path", None) is real
    ]
    with ExitStack() as stack:
        for name in holders:
            stack.enter_context(mock.patch(f"{name}.validate_path", side_effect=counted))
        yield seen


def test_each_path_of_a_commit_is_validated_once(api: Api) -> None:
    sb = start_sandbox(api)
    api.post("/files/write", **sb, path="docs/old.md", content="old\n", message="m")
    changes = [
        {"path": "docs/new.md", "content": "new\n"},
        {"path": "README.md", "content": "# changed\n"},
        {"path": "docs/old.md", "delete": True},
    ]
    with counting_path_checks() as seen:
        out = api.post("/git/commit", **sb, message="three files", changes=changes)
    assert sorted(out["files"]) == sorted(c["path"] for c in changes)
    assert {path: seen[path] for path in out["files"]} == {path: 1 for path in out["files"]}


def test_a_bad_path_is_refused_once_with_the_engines_message(api: Api) -> None:
    sb = start_sandbox(api)
    with counting_path_checks() as seen:
        body = api.post(
            "/git/commit",
            **sb,
            message="m",
            changes=[{"path": "a/../../b", "content": "x"}],
            expect=400,
        )
    assert seen == Counter({"a/../../b": 1})
    assert error(body)["code"] == "invalid_path"
    assert error(body)["message"] == "path must not contain '.' or '..' segments, got 'a/../../b'"
    assert error(body)["details"] == {"path": "a/../../b"}


def test_duplicate_and_content_or_delete_refusals_keep_their_status(api: Api) -> None:
    sb = start_sandbox(api)
    twice = [{"path": "a.md", "content": "1"}, {"path": "a.md", "delete": True}]
    body = api.post("/git/commit", **sb, message="m", changes=twice, expect=400)
    assert error(body) | {"request_id": None} == {
        "code": "invalid_input",
        "message": "each path may appear once per commit",
        "request_id": None,
    }
    both = [{"path": "a.md", "content": "1", "delete": True}]
    body = api.post("/git/commit", **sb, message="m", changes=both, expect=422)
    assert (
        error(body)["code"] == "invalid_request" and "content or delete" in error(body)["message"]
    )
    neither = [{"path": "a.md"}]
    body = api.post("/git/commit", **sb, message="m", changes=neither, expect=422)
    assert error(body)["code"] == "invalid_request"
    bad_base64 = [{"path": "a.bin", "content": "not base64!", "encoding": "base64"}]
    body = api.post("/git/commit", **sb, message="m", changes=bad_base64, expect=400)
    assert error(body)["message"] == "content of 'a.bin' is not valid base64"
    assert "a.md" not in [e["path"] for e in api.post("/files/list", **sb)["entries"]]


@pytest.fixture
def project(api: Api) -> dict[str, str]:
    """A project sandbox: the workspace files exist from the start."""
    return start_project(api, goals=["Ship the importer"])


def test_memory_add_reads_memory_yaml_once(
    api: Api, services: Services, project: dict[str, str]
) -> None:
    api.post("/memory/add", **project, text="first")
    parse_cache(
        repo_of(services)
    ).clear()  # the version at head must come from git, not the last write
    real_read, real_size = Repository.read_file, Repository.file_size
    with (
        mock.patch.object(Repository, "read_file", autospec=True, side_effect=real_read) as read,
        mock.patch.object(Repository, "file_size", autospec=True, side_effect=real_size) as size,
    ):
        api.post("/memory/add", **project, text="second")
    assert [c.args[2] for c in read.call_args_list].count("memory.yaml") == 1
    assert [c.args[2] for c in size.call_args_list].count("memory.yaml") == 0
    query = api.post("/memory/query", **project)
    assert [item["text"] for item in query["items"]][:2] == ["second", "first"]


def refusals_over(call: CallTool) -> Any:
    async def run() -> list[tuple[str | None, dict[str, Any]]]:
        init = await call("sandbox.init", {"repo_name": REPO, "mode": "branch"})
        sb = {"repo_name": REPO, "reuse_token": init[1]["reuse_token"]}
        three = [{"path": f"f{i}.md", "content": str(i)} for i in range(3)]
        bodies = [
            {"changes": three},
            {"changes": [{"path": "/etc/passwd", "content": "x"}]},
            {"changes": [{"path": ".logs/x.yaml", "content": "x"}]},
            {"changes": [{"path": "a.md", "content": "1"}, {"path": "a.md", "delete": True}]},
            {"changes": three[:2]},
        ]
        return [await call("git.commit", {**sb, "message": "m", **body}) for body in bodies]

    return run


def test_every_transport_gets_the_same_refusals(tmp_path: Path) -> None:
    """The file-count cap is one setting, and a check answers alike over HTTP and MCP."""
    settings = Settings(
        data_dir=tmp_path / "data", public_url="https://draftroom.example", max_files_per_commit=2
    )
    services = Services(settings)
    setup_default(services)
    key = new_key(services)

    async def both() -> tuple[list[Any], list[Any]]:
        async with httpx2.AsyncClient(
            headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as http:
            via_http = await refusals_over(over_http(http, base))()
        async with http_mcp_client(f"{base}/mcp", key, "auto") as client:
            via_mcp = await refusals_over(over_mcp(client))()
        return via_http, via_mcp

    with serving(services) as base:
        via_http, via_mcp = anyio.run(both)
    codes = ["payload_too_large", "invalid_path", "read_only_path", "invalid_input", None]
    assert [code for code, _ in via_http] == codes
    assert [code for code, _ in via_mcp] == codes
    for (_, over_h), (_, over_m) in zip(via_http[:-1], via_mcp[:-1], strict=True):
        same = {k: v for k, v in over_h["error"].items() if k != "request_id"}
        assert same == {k: v for k, v in over_m["error"].items() if k != "request_id"}
    assert via_http[0][1]["error"]["details"] == {"limit": 2, "files": 3}
