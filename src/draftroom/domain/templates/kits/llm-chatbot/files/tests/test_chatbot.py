"""The chat app's behaviour, with the LLM API faked by an httpx.MockTransport."""

from __future__ import annotations

import json

import httpx
from chatbot import SYSTEM_PROMPT, Settings, create_app
from fastapi.testclient import TestClient

SETTINGS = Settings(base_url="https://llm.example/v1", model="test-model", api_key="test-key")


def app_answering(handler: httpx.MockTransport) -> TestClient:
    return TestClient(create_app(SETTINGS, httpx.Client(transport=handler)))


def test_chat_forwards_the_conversation_and_returns_the_reply() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"choices": [{"message": {"content": "Hi there"}}]})

    client = app_answering(httpx.MockTransport(answer))
    response = client.post("/chat", json={"messages": [{"role": "user", "content": "Hello"}]})
    assert response.status_code == 200
    assert response.json() == {"reply": "Hi there"}
    assert str(seen[0].url) == "https://llm.example/v1/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer test-key"
    sent = json.loads(seen[0].content)
    assert sent["model"] == "test-model"
    assert sent["messages"] == [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": "Hello"},
    ]


def test_an_api_failure_is_a_502_not_a_crash() -> None:
    client = app_answering(httpx.MockTransport(lambda request: httpx.Response(500)))
    response = client.post("/chat", json={"messages": [{"role": "user", "content": "Hello"}]})
    assert response.status_code == 502


def test_an_empty_conversation_is_refused() -> None:
    client = app_answering(httpx.MockTransport(lambda request: httpx.Response(500)))
    assert client.post("/chat", json={"messages": []}).status_code == 422


def test_the_page_is_served() -> None:
    client = app_answering(httpx.MockTransport(lambda request: httpx.Response(500)))
    assert "<form" in client.get("/").text
