"""The GPT Actions schema stays importable: OpenAI's documented limits, stable operationIds."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from draftroom.adapters.openapi import MAX_DESCRIPTION, MAX_OPERATIONS, MAX_PARAMETER_DESCRIPTION
from draftroom.tools import build_registry


def schema(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in doc["paths"].values() for op in item.values()]


def test_schema_is_openapi_31_with_servers_and_bearer_auth(client: TestClient) -> None:
    doc = schema(client)
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": "https://draftroom.example"}]
    schemes = doc["components"]["securitySchemes"]
    assert any(
        s == {"type": "http", "scheme": "bearer", "description": "Your draftroom API key."}
        for s in schemes.values()
    )


def test_every_gpt_tool_is_one_operation_with_a_stable_id(client: TestClient) -> None:
    doc = schema(client)
    ids = {op["operationId"] for op in operations(doc)}
    expected = {t.operation_id for t in build_registry() if t.scope != "admin"}
    assert ids == expected
    assert len(ids) <= MAX_OPERATIONS
    assert doc["paths"]["/git/commit"]["post"]["operationId"] == "git_commit"


def test_descriptions_fit_gpt_limits(client: TestClient) -> None:
    doc = schema(client)
    for op in operations(doc):
        assert len(op.get("summary", "")) <= MAX_DESCRIPTION, op["operationId"]
        assert len(op.get("description", "")) <= MAX_DESCRIPTION, op["operationId"]
    for model in doc["components"]["schemas"].values():
        for name, prop in model.get("properties", {}).items():
            assert len(prop.get("description", "")) <= MAX_PARAMETER_DESCRIPTION, name
    assert len(json.dumps(doc)) < 100_000


def test_sandbox_tools_are_not_consequential(client: TestClient) -> None:
    registry = build_registry()
    for op in operations(schema(client)):
        tool = registry.get(op["operationId"].replace("_", ".", 1))
        assert op["x-openai-isConsequential"] is tool.consequential
        assert op["x-openai-isConsequential"] is False


def test_every_sandbox_tool_accepts_repo_name_branch_and_token(client: TestClient) -> None:
    doc = schema(client)
    for path, item in doc["paths"].items():
        ref = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        props = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
        assert {"repo_name", "branch", "reuse_token"} <= set(props), path


def test_errors_are_documented_as_json_error_bodies(client: TestClient) -> None:
    doc = schema(client)
    op = doc["paths"]["/files/read"]["post"]
    for status in ("400", "401", "403", "404", "409", "422", "429"):
        response = op["responses"][status]
        if "$ref" in response:  # shared under components/responses
            response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        ref = response["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorResponse")


def test_readme_tool_table_lists_every_tool() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for tool in build_registry():
        path = "CLI only" if tool.local_only else f"`{tool.path}`"
        assert f"| `{tool.name}` | {path} |" in readme, tool.name
