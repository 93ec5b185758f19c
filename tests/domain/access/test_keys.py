"""API keys as an admin manages them: listed without secrets, revoked at once, never the
org's last admin key; over HTTP, MCP and the CLI alike."""

from __future__ import annotations

from fastapi.testclient import TestClient

from draftroom.domain.calls import Services
from tests.support.api import AdminApi, Api, error, new_key, start_sandbox


def test_a_revoked_key_is_refused_at_once_and_listed_as_revoked(
    client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    agent_key = new_key(services)
    agent = Api(client, agent_key)
    sb = start_sandbox(agent)
    agent_id = agent_key.split("_")[1]
    listed = {k["id"]: k for k in admin.get("/admin/keys")["keys"]}
    assert listed[agent_id]["revoked_at"] is None and listed[agent_id]["role"] == "agent"
    assert all(
        set(k) == {"id", "role", "label", "user", "created_at", "last_used_at", "revoked_at"}
        for k in listed.values()
    )
    assert agent_key not in str(listed)
    revoked = admin.post(f"/admin/keys/{agent_id}/revoke")
    assert revoked["id"] == agent_id and revoked["revoked_at"] is not None
    refused = agent.post("/sandbox/status", **sb, expect=401)
    assert error(refused) | {"request_id": None} == {
        "code": "unauthorized",
        "message": "invalid API key",
        "request_id": None,
    }
    assert admin.post(f"/admin/keys/{agent_id}/revoke")["revoked_at"] == revoked["revoked_at"]
    gone = {k["id"]: k for k in admin.get("/admin/keys")["keys"]}[agent_id]
    assert gone["revoked_at"] is not None


def test_over_mcp_a_revoked_key_is_refused_on_its_next_request(
    client: TestClient, services: Services
) -> None:
    admin, agent_key = AdminApi(client, services), new_key(services)
    headers = {
        "Authorization": f"Bearer {agent_key}",
        "Accept": "application/json, text/event-stream",
    }
    listing = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    assert client.post("/mcp", json=listing, headers=headers).status_code == 200
    admin.post(f"/admin/keys/{agent_key.split('_')[1]}/revoke")
    refused = client.post("/mcp", json=listing, headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"


def test_the_last_admin_key_is_not_revoked_and_other_orgs_keys_are_unknown(
    client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    keys = admin.get("/admin/keys")["keys"]
    others = [k["id"] for k in keys if k["role"] == "admin" and k["id"] != admin.key_id]
    for other in others:
        admin.post(f"/admin/keys/{other}/revoke")
    last = admin.post(f"/admin/keys/{admin.key_id}/revoke", expect=409)
    assert error(last)["code"] == "conflict" and "last admin key" in error(last)["message"]
    admin.get("/admin/keys")  # still works
    unknown = admin.post("/admin/keys/zzzzzzzzzzzz/revoke", expect=404)
    assert error(unknown)["code"] == "not_found"
    agent = Api(client, new_key(services))
    assert error(agent.post("/admin/keys/zzzzzzzzzzzz/revoke", expect=403))["code"] == (
        "insufficient_scope"
    )
    response = client.get("/admin/keys", headers=agent.headers)
    assert response.status_code == 403
