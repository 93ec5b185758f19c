"""The tool registry: each tool declared once; HTTP, MCP and CLI adapters are generated from it.

A tool is a handler ``(call, body) -> output`` whose annotations name its pydantic input and
output models. ``Registry.invoke`` is the single path every adapter takes, so scope checks
and the audit trail cannot be skipped by any transport.
"""

from __future__ import annotations

import logging
import re
import time
import typing
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from draftroom.domain.audit.events import record_event
from draftroom.domain.calls.call import Call, Principal
from draftroom.domain.calls.failures import FailedCall, mark_reported, report_failure
from draftroom.domain.calls.services import Services
from draftroom.errors import DraftroomError, InsufficientScope, InvalidRequest, NotFound

Scope = Literal["sandbox", "admin"]
HttpMethod = Literal["GET", "POST"]
_PATH_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SURROGATE = re.compile("[\ud800-\udfff]")
logger = logging.getLogger("draftroom.errors")
"""Tracebacks of unexpected failures (500): the caller sees only the request id."""
Handler = Callable[[Call, Any], BaseModel]


@dataclass(frozen=True)
class Tool:
    name: str
    summary: str
    description: str
    input_model: type[BaseModel]
    output_model: type[BaseModel]
    handler: Handler
    scope: Scope = "sandbox"
    consequential: bool = False
    writes: bool = False
    created_status: int | None = None
    http_method: HttpMethod = "POST"
    http_path: str | None = None

    @property
    def path(self) -> str:
        """``http_path`` when declared (admin routes), else ``/group/verb``."""
        return self.http_path or "/" + self.name.replace(".", "/")

    @property
    def path_params(self) -> list[str]:
        """Input fields the path carries, e.g. ``id`` in ``/admin/merge_requests/{id}``."""
        return _PATH_PARAM.findall(self.path)

    @property
    def operation_id(self) -> str:
        return self.name.replace(".", "_")

    def status_for(self, output: BaseModel) -> int:
        """201 for a tool whose output says it created something, else 200."""
        if self.created_status and getattr(output, "created", False):
            return self.created_status
        return 200


class Registry:
    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def tool(
        self,
        name: str,
        *,
        summary: str,
        description: str,
        scope: Scope = "sandbox",
        consequential: bool = False,
        writes: bool = False,
        created_status: int | None = None,
        http_method: HttpMethod = "POST",
        http_path: str | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            hints = typing.get_type_hints(handler)
            body_name = list(hints)[1]
            if name in self._tools:
                raise ValueError(f"tool {name!r} declared twice")
            missing = set(_PATH_PARAM.findall(http_path or "")) - set(hints[body_name].model_fields)
            if missing:
                raise ValueError(f"tool {name!r}: path names {missing} its input lacks")
            self._tools[name] = Tool(
                name=name,
                summary=summary,
                description=description,
                input_model=hints[body_name],
                output_model=hints["return"],
                handler=handler,
                scope=scope,
                consequential=consequential,
                writes=writes,
                created_status=created_status,
                http_method=http_method,
                http_path=http_path,
            )
            return handler

        return register

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise NotFound(f"no tool named {name!r}; see the tool list") from None

    def authorize(self, scope: Scope, principal: Principal, what: str) -> None:
        """Raise ``InsufficientScope`` unless ``principal`` holds ``scope`` (``what`` needs it)."""
        if scope == "admin" and principal.role != "admin":
            raise InsufficientScope(f"{what} needs an admin API key")

    def precheck(
        self,
        tool: Tool,
        services: Services,
        principal: Principal,
        *,
        request_id: str,
        transport: str = "http",
    ) -> None:
        """``authorize`` before a transport reads the body, auditing a refusal as ``invoke`` would.

        So a key without the scope learns nothing about a tool's input, not even its schema.
        """
        try:
            self.authorize(tool.scope, principal, tool.name)
        except InsufficientScope as exc:
            record_event(
                services.database,
                request_id=request_id,
                tool=tool.name,
                outcome="error",
                duration_ms=0.0,
                api_key_id=principal.api_key_id,
                error_code=exc.code,
                detail={"transport": transport},
            )
            raise

    def invoke(
        self,
        tool: Tool,
        services: Services,
        principal: Principal,
        payload: BaseModel | dict[str, Any],
        *,
        request_id: str | None = None,
        transport: str = "http",
        client: str | None = None,
    ) -> BaseModel:
        """Check scope, run the handler, and audit the call whatever its outcome.

        The audit row shares the call's session (``Call.end``): one commit per call.

        ``client`` is the caller's address when the transport has one (lockouts count by it).
        """
        call = Call(
            services, principal, request_id or uuid.uuid4().hex, tool.name, transport, client=client
        )
        started = time.perf_counter()
        error: DraftroomError | None = None
        try:
            self.authorize(tool.scope, principal, tool.name)
            body = _validate(tool.input_model, payload)
            return tool.handler(call, body)
        except DraftroomError as exc:
            error = exc
            raise
        except Exception as exc:
            logger.exception("tool %s failed unexpectedly (request %s)", tool.name, call.request_id)
            error = DraftroomError("internal error; the request was not applied")
            raise error from exc
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
            detail = {"transport": transport, **call.audit.detail}
            if client is not None:
                detail["client"] = client
            call.end(
                lambda session: record_event(
                    session,
                    request_id=call.request_id,
                    tool=tool.name,
                    outcome="error" if error else "ok",
                    duration_ms=duration_ms,
                    api_key_id=principal.api_key_id,
                    token_id=call.audit.token_id,
                    repo=call.audit.repo,
                    branch=call.audit.branch,
                    error_code=error.code if error else None,
                    commit_sha=call.audit.commit_sha,
                    detail=detail,
                ),
                failed=error is not None,
            )
            if error is not None:
                failure = FailedCall(
                    request_id=call.request_id,
                    tool=tool.name,
                    code=error.code,
                    status=error.status,
                    repo=call.audit.repo,
                    branch=call.audit.branch,
                    duration_ms=duration_ms,
                    transport=transport,
                    writes=tool.writes,
                )
                report_failure(failure, services.failures, services.alerts)
                mark_reported(error)


def _validate(model: type[BaseModel], payload: BaseModel | dict[str, Any]) -> BaseModel:
    data = payload.model_dump() if isinstance(payload, BaseModel) else payload
    _refuse_surrogates(data, ())
    if isinstance(payload, model):
        return payload
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(
            "request body does not match the tool's schema",
            errors=exc.errors(include_url=False, include_context=False, include_input=False),
        ) from None


def _refuse_surrogates(value: Any, loc: tuple[str | int, ...]) -> None:
    """Refuse text that is not Unicode: JSON may carry a lone surrogate (``"\\udcff"``)."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise InvalidRequest(
                f"{'.'.join(map(str, loc)) or 'body'}: text must be valid Unicode; it holds a "
                "lone surrogate (\\ud800-\\udfff). Send binary content as base64",
                errors=[{"type": "string_unicode", "loc": list(loc), "msg": "lone surrogate"}],
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_surrogates(key, loc)
            _refuse_surrogates(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_surrogates(item, (*loc, index))


registry = Registry()
"""The one registry every tool module declares into and every adapter is built from."""
