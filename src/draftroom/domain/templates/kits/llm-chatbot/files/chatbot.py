"""A chat app over an OpenAI-compatible API: POST /chat with the conversation, get the reply."""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

SYSTEM_PROMPT = "You are a helpful assistant. Answer briefly and say when you are not sure."
PAGE = """<!doctype html>
<title>Chat</title>
<form id="f"><input id="q" autofocus placeholder="Say something"><button>Send</button></form>
<pre id="log"></pre>
<script>
const messages = [];
document.getElementById("f").onsubmit = async (event) => {
  event.preventDefault();
  const q = document.getElementById("q");
  messages.push({role: "user", content: q.value});
  q.value = "";
  const answer = await fetch("/chat", {method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify({messages})}).then((r) => r.json());
  messages.push({role: "assistant", content: answer.reply});
  document.getElementById("log").textContent = messages.map((m) => m.role + ": " + m.content).join("\\n");
};
</script>
"""


@dataclass(frozen=True)
class Settings:
    base_url: str
    model: str
    api_key: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            base_url=os.environ.get("LLM_BASE_URL", "https://api.openai.com/v1"),
            model=os.environ.get("LLM_MODEL", "gpt-4o-mini"),
            api_key=os.environ.get("LLM_API_KEY", ""),
        )


class Message(BaseModel):
    role: str = Field(pattern="^(user|assistant)$")
    content: str = Field(min_length=1, max_length=8000)


class ChatRequest(BaseModel):
    messages: list[Message] = Field(min_length=1, max_length=50)


class ChatReply(BaseModel):
    reply: str


def complete(client: httpx.Client, settings: Settings, messages: list[Message]) -> str:
    """The model's answer to the conversation, asked of the /chat/completions endpoint."""
    body = {
        "model": settings.model,
        "messages": [{"role": "system", "content": SYSTEM_PROMPT}]
        + [m.model_dump() for m in messages],
    }
    headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
    response = client.post(f"{settings.base_url}/chat/completions", json=body, headers=headers)
    response.raise_for_status()
    return str(response.json()["choices"][0]["message"]["content"])


def create_app(settings: Settings | None = None, client: httpx.Client | None = None) -> FastAPI:
    """The app; tests pass a client whose transport fakes the API."""
    settings = settings or Settings.from_env()
    client = client or httpx.Client(timeout=60)
    app = FastAPI(title="LLM chatbot")

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return PAGE

    @app.post("/chat")
    def chat(request: ChatRequest) -> ChatReply:
        try:
            return ChatReply(reply=complete(client, settings, request.messages))
        except (httpx.HTTPError, KeyError, IndexError) as exc:
            raise HTTPException(502, f"the LLM API did not answer: {exc}") from None

    return app
