"""The site and its notes API, through the app as a browser would use it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from server import create_app


def test_the_page_and_its_script_are_served() -> None:
    client = TestClient(create_app())
    page = client.get("/")
    assert page.status_code == 200 and '<script src="app.js">' in page.text
    assert "/api/notes" in client.get("/app.js").text


def test_notes_are_added_listed_and_deleted() -> None:
    client = TestClient(create_app())
    assert client.get("/api/notes").json() == []
    added = client.post("/api/notes", json={"text": "  Buy milk "})
    assert added.status_code == 201 and added.json() == {"id": 1, "text": "Buy milk"}
    client.post("/api/notes", json={"text": "Call Ana"})
    assert [n["text"] for n in client.get("/api/notes").json()] == ["Buy milk", "Call Ana"]
    assert client.delete("/api/notes/1").status_code == 204
    assert [n["id"] for n in client.get("/api/notes").json()] == [2]
    assert client.delete("/api/notes/1").status_code == 404


def test_an_empty_note_is_refused() -> None:
    client = TestClient(create_app())
    assert client.post("/api/notes", json={"text": ""}).status_code == 422
