"""Inputs are taken as the schema says, not coerced: ``0`` is not ``false``, ``"5"`` is not
``5``; the schema states the limits the server enforces; every 405 says what is allowed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom.domain.calls import Services
from tests.support.api import AdminApi, Api, start_sandbox


@pytest.mark.parametrize(
    ("route", "field", "value"),
    [
        ("/files/list", "recursive", 0),
        ("/files/list", "recursive", "true"),
        ("/files/list", "limit", "5"),
        ("/files/list", "limit", 5.0),
        ("/files/list", "cursor", ""),
        ("/git/history", "cursor", ""),
        ("/files/read", "offset", "0"),
        ("/files/read", "offset", False),
    ],
)
def test_booleans_and_integers_are_strict(api: Api, route: str, field: str, value: Any) -> None:
    sandbox = start_sandbox(api)
    body: dict[str, Any] = {**sandbox, field: value}
    if route == "/files/read":
        body["path"] = "README.md"
    out = api.post(route, expect=422, **body)
    assert out["error"]["code"] == "invalid_request"
    assert field in out["error"]["message"]


def test_allow_secrets_must_be_a_boolean(api: Api) -> None:
    sandbox = start_sandbox(api)
    write = {**sandbox, "path": "a.md", "content": "a\n", "message": "Add a"}
    for value in (1, "yes", "true", None):
        out = api.post("/files/write", expect=422, **write, allow_secrets=value)
        assert "allow_secrets" in out["error"]["message"]
    change = {"path": "a.md", "content": "a\n"}
    out = api.post(
        "/git/commit", expect=422, **sandbox, message="m", changes=[change], allow_secrets=0
    )
    assert "allow_secrets" in out["error"]["message"]
    api.post("/files/write", **write, allow_secrets=True)


def test_a_blank_project_name_is_refused_by_the_schema(api: Api) -> None:
    out = api.post("/sandbox/init", expect=422, repo_name="demo", mode="project", project_name=" ")
    assert "project_name" in out["error"]["message"]


def test_path_and_query_values_are_still_typed(client: TestClient, services: Services) -> None:
    admin = AdminApi(client, services)
    assert admin.get("/admin/errors", limit="5") is not None
    bad = client.get("/admin/errors", params={"limit": "five"}, headers=admin.headers)
    assert bad.status_code == 422


def test_the_schema_states_the_limits_the_server_enforces(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]

    def field(model: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = schemas[model]["properties"][name]
        if "$ref" in found:  # a field shared by several inputs (the schema is compact)
            found = schemas[found["$ref"].rsplit("/", 1)[-1]]
        return found

    segments = "^[^/]{1,255}(/[^/]{1,255})*$"
    assert field("WriteInput", "path")["pattern"] == segments
    assert field("ReadInput", "path")["pattern"] == segments
    assert field("FileChange", "path")["pattern"] == segments
    change = schemas["FileChange"]
    assert change["if"]["properties"]["delete"] == {"const": True}
    assert change["then"]["properties"]["content"] == {"type": "null"}
    assert change["else"] == {"required": ["content"]}
    for model in ("ListInput", "HistoryInput"):
        cursor = field(model, "cursor")
        assert any(option.get("minLength") == 1 for option in cursor.get("anyOf", [cursor]))
    project = field("InitInput", "project_name")
    assert any(option.get("pattern") == "\\S" for option in project.get("anyOf", [project]))


def test_every_405_carries_allow(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        url = path.replace("{name}", "demo").replace("{id}", "1")
        wrong = "PUT"
        response = client.request(wrong, url)
        assert response.status_code == 405, (path, response.status_code)
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert {m.upper() for m in operations} <= allowed, path
