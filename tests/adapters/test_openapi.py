"""The GPT Actions schema stays importable: OpenAI's documented limits, stable operationIds."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom.adapters.openapi import MAX_DESCRIPTION, MAX_OPERATIONS, MAX_PARAMETER_DESCRIPTION
from draftroom.tools import build_registry
from draftroom.tools.toolsets import TOOLSETS
from draftroom.tools.versions import API_VERSIONS

FULL_LIMIT = 45_000
CORE_LIMIT = 15_000


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
    assert doc["servers"] == [{"url": "https://draftroom.example/v2"}]  # the newest version
    schemes = doc["components"]["securitySchemes"]
    assert any(
        s == {"type": "http", "scheme": "bearer", "description": "Your draftroom API key."}
        for s in schemes.values()
    )


def test_every_gpt_tool_is_one_operation_with_a_stable_id(client: TestClient) -> None:
    doc = schema(client)
    ids = {op["operationId"] for op in operations(doc)}
    expected = {t.operation_id for t in build_registry() if t.scope == "sandbox"}
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
    """One shared ``default`` error response whose description names every status."""
    doc = schema(client)
    for op in operations(doc):
        assert op["responses"]["default"] == {"$ref": "#/components/responses/Error"}
    response = doc["components"]["responses"]["Error"]
    ref = response["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ErrorResponse")
    for status in ("400", "401", "403", "404", "409", "413", "422", "429"):
        assert status in response["description"]


def test_readme_tool_table_lists_every_tool() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for tool in build_registry():
        path = "CLI only" if tool.local_only else f"`{tool.path}`"
        assert f"| `{tool.name}` | {path} |" in readme, tool.name


def refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(item) for item in node))
    return set()


def assert_refs_resolve_and_none_unused(doc: dict[str, Any]) -> None:
    targets = {
        f"#/components/{kind}/{name}"
        for kind in ("schemas", "responses")
        for name in doc["components"].get(kind, {})
    }
    assert refs(doc) <= targets
    assert targets <= refs(doc)  # no component left over


def test_the_schema_is_compact_full_and_core(client: TestClient) -> None:
    """What a GPT reads whole: the full schema within 45,000 characters, core within 15,000."""
    full = schema(client)
    core = client.get("/openapi.json?toolsets=core").json()
    assert len(json.dumps(full)) <= FULL_LIMIT
    assert len(json.dumps(core)) <= CORE_LIMIT
    for doc in (full, core):
        assert_refs_resolve_and_none_unused(doc)
        assert '"title": "' not in json.dumps(doc["components"]["schemas"])  # no generated titles
    shared = full["components"]["schemas"]
    commit = shared["CommitInput"]["properties"]
    assert commit["repo_name"] == {"$ref": "#/components/schemas/RepoName"}
    assert "repo_name" in shared["CommitInput"]["required"]
    assert "description" in shared["RepoName"]


@pytest.mark.parametrize("version", API_VERSIONS)
def test_every_input_field_is_still_in_the_schema(client: TestClient, version: int) -> None:
    doc = client.get(f"/v{version}/openapi.json").json()
    for tool in build_registry().tools(version):
        if tool.scope != "sandbox" or tool.local_only:
            continue
        op = doc["paths"][tool.path][tool.http_method.lower()]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        model = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
        names = {f.alias or name for name, f in tool.input_model.model_fields.items()}
        assert set(model["properties"]) == names, tool.name
        output = op["responses"]["200" if not tool.created_status else str(tool.created_status)]
        ref = output["content"]["application/json"]["schema"]["$ref"]
        fields = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
        assert set(fields) == set(tool.output_model.model_fields), tool.name


@pytest.mark.parametrize("toolsets", ["core", "workspace", "merge", "core,workspace"])
def test_a_toolset_schema_has_only_its_operations(client: TestClient, toolsets: str) -> None:
    doc = client.get(f"/openapi.json?toolsets={toolsets}").json()
    names = set(toolsets.split(","))
    expected = {
        t.operation_id
        for t in build_registry()
        if t.scope == "sandbox" and not t.local_only and t.toolset in names
    }
    assert {op["operationId"] for op in operations(doc)} == expected
    assert_refs_resolve_and_none_unused(doc)
    assert doc["servers"] == [{"url": "https://draftroom.example/v2"}]  # the newest version


def test_core_stays_under_twelve_tools_and_every_tool_has_one_toolset() -> None:
    registry = build_registry()
    assert len([t for t in registry if t.toolset == "core"]) < 12
    built_in = {t.toolset for t in registry if t.plugin is None}
    assert built_in == set(TOOLSETS) - {"plugins"}, "plugins holds the installed plugins' tools"


def test_read_only_schema_lists_only_reads(client: TestClient) -> None:
    doc = client.get("/openapi.json?toolsets=core&read_only=1").json()
    registry = build_registry()
    ids = {op["operationId"] for op in operations(doc)}
    assert ids == {t.operation_id for t in registry if t.toolset == "core" and not t.writes}
    assert "files_read" in ids and "git_commit" not in ids


@pytest.mark.parametrize(
    "query",
    ["toolsets=core,nope", "toolsets=%00", "read_only=maybe", "toolsets=" + "x" * 10_000],
)
def test_an_unknown_toolset_is_a_400_naming_the_valid_ones(client: TestClient, query: str) -> None:
    response = client.get(f"/openapi.json?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert len(error["message"]) < 300
    if "toolsets" in query:
        assert all(name in error["message"] for name in TOOLSETS)
