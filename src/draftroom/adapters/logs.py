"""How the server logs: one JSON object a line (``DRAFTROOM_LOG_FORMAT=json``) or text, each
line naming the request it belongs to, and never a secret.

``request_id`` (a context variable) is set by the HTTP adapter for the length of a request,
so every line logged while it is served (uvicorn's access line, a tool's failure, a
traceback) carries it. Every line passes ``redact`` last: draftroom keys and tokens,
``Authorization`` and cookie values, bearer credentials, passwords in URLs and secret-named
query parameters become ``[redacted]``, whichever logger wrote them.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id: ContextVar[str | None] = ContextVar("draftroom_request_id", default=None)
REDACTED = "[redacted]"
_SECRETS = (
    # draftroom's own credentials: keys (drk), reuse tokens (drt), access/refresh tokens.
    (re.compile(r"\bdr[a-z]_[a-z2-7]{12}_[A-Za-z0-9_-]{8,}"), REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',]+"), rf"\1 {REDACTED}"),
    (
        re.compile(
            r"(?i)\b(authorization|proxy-authorization|cookie|set-cookie)(\"?\s*[:=]\s*)"
            r"(\"[^\"]*\"|'[^']*'|[^\r\n]+)"
        ),
        rf"\1\2{REDACTED}",
    ),
    (re.compile(r"://[^/\s:@]*:[^/\s@]+@"), f"://{REDACTED}@"),  # user:password@host
    (
        re.compile(
            r"(?i)\b((?:access_|refresh_|reuse_|id_)?token|code|password|secret|api_key|key"
            r"|client_secret|state)=[^&\s\"']+"
        ),
        rf"\1={REDACTED}",
    ),
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),  # a JWT
)


def redact(text: str) -> str:
    """``text`` with anything shaped like a secret replaced by ``[redacted]``."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RequestIdFilter(logging.Filter):
    """Puts the current ``request_id`` (or None) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``at``, ``level``, ``logger``, ``request_id``, ``message``
    (and ``exception`` with the traceback), every string redacted."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", None),
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message``, redacted like the JSON lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"  # outside a request
        return redact(super().format(record))


class RequestIds:
    """Give each request an id (``request.state.request_id``), echoed as ``X-Request-Id``.

    Plain ASGI on purpose: Starlette's ``@app.middleware("http")`` runs every request in an
    extra task group and re-streams its response, which cost more CPU than a file read.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        new_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = new_id
        header = (b"x-request-id", new_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        bound = request_id.set(new_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(bound)


LogFormat = Literal["text", "json"]


def log_config(log_format: LogFormat, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server and uvicorn (its ``log_config``):
    one handler on stderr with the chosen format, for the root logger and uvicorn's."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "line",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    inherit = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"line": {"()": formatter}},
        "handlers": {"line": handler},
        "root": {"handlers": ["line"], "level": level},
        "loggers": {
            "uvicorn": {**inherit, "level": level},
            "uvicorn.error": {**inherit, "level": level},
            "uvicorn.access": {**inherit, "level": level},
            "alembic": {**inherit, "level": "WARNING"},  # a line per migration step: noise
        },
    }
