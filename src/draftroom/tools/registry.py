"""The tool registry: each tool declared once; HTTP, MCP and CLI adapters are generated from it.

A tool is a handler ``(call, sandbox, body) -> output`` declared with ``@tool``, which only
attaches the declaration to the function; ``tools.build_registry`` collects the declared
handlers into a new ``Registry`` when an app starts, so there is no registry at import time.
The handler's annotations name its input and output models, and whether the registry opens
the sandbox for it (``sandbox: SandboxAccess``) or not (``sandbox: None``).

``Registry.invoke`` is the single path every adapter takes, in this order: authenticate,
scope, validate, claim the idempotency key (writing tools), open the sandbox, handle, audit,
report. No adapter authenticates, audits or reports a failure on its own.
"""

from __future__ import annotations

import logging
import re
import time
import typing
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from draftroom.domain.access import (
    Bearer,
    SandboxAccess,
    Scope,
    holds,
    needs,
    open_callers_sandbox,
)
from draftroom.domain.audit import audit_key
from draftroom.domain.calls import (
    Call,
    Principal,
    Progress,
    Services,
    idempotency,
)
from draftroom.domain.signin import authenticate
from draftroom.errors import DraftroomError, InsufficientScope, NotFound
from draftroom.plugins import PluginHost
from draftroom.tools.declaration import HttpMethod, declaration_of
from draftroom.tools.idempotency import claim_key, with_idempotency_key
from draftroom.tools.outcome import Outcome
from draftroom.tools.toolsets import Selection, toolset_of
from draftroom.tools.validation import Payload, validate
from draftroom.tools.versions import LATEST, Deprecation

Handler = Callable[[Call, Any, Any], BaseModel]
LOCAL_TRANSPORTS = frozenset({"cli"})
"""Transports only a person at the server's shell uses: the ones ``local_only`` tools allow."""
_PATH_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
logger = logging.getLogger("draftroom.errors")  # 500s' tracebacks: callers see a request id


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
    idempotent: bool = False
    """A write whose repeat (same arguments) changes nothing more; reads are idempotent anyway."""
    created_status: int | None = None
    http_method: HttpMethod = "POST"
    http_path: str | None = None
    opens_sandbox: bool = False
    """The registry opens the sandbox the input's reuse token names before the handler runs."""
    reads_archived: bool = False
    """The tool only reads where its sandbox stands, so it answers for an archived one too."""
    local_only: bool = False
    """Only for the data dir's owner at the server's command line: no HTTP route, 403 elsewhere."""
    toolset: str = "core"
    """The toolset (``tools.toolsets.TOOLSETS``) that lists it."""
    person_scope: Scope | None = None
    """What a signed-in person needs instead of ``scope``: the tool answers with their own."""
    api_version: int = 1  # the first API version serving this variant (``tools.versions``)
    deprecated: Deprecation | None = None
    plugin: str | None = None  # the installed plugin that declares it; None: a built-in

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

    @property
    def may_resume(self) -> bool:
        """Whether a creating tool can also answer 200: its output has a ``created`` flag."""
        return self.created_status is not None and "created" in self.output_model.model_fields

    def status_for(self, output: BaseModel) -> int:
        """``created_status`` unless the output says it created nothing, else 200."""
        if self.created_status and getattr(output, "created", True):
            return self.created_status
        return 200


Caller = Principal | Bearer
"""A known principal (a local process acting as the owner), or a credential to authenticate."""


class Registry:
    def __init__(self, plugins: PluginHost | None = None) -> None:
        self._tools: dict[tuple[str, int], Tool] = {}
        self._names: re.Pattern[str] | None = None
        self.plugins = plugins or PluginHost()  # their hooks run on every call's paths

    def add(self, handler: Callable[..., BaseModel]) -> Tool:
        """Register a handler declared with ``@tool``."""
        declared = declaration_of(handler)
        if declared is None:
            raise ValueError(f"{handler.__qualname__} is not declared with @tool")
        hints = typing.get_type_hints(handler)
        _, sandbox_name, body_name = list(hints)[:3]
        input_model = hints[body_name]
        if declared.writes:
            input_model = with_idempotency_key(input_model)
        opens_sandbox = hints[sandbox_name] is SandboxAccess
        if (declared.name, declared.api_version) in self._tools:
            raise ValueError(f"tool {declared.name!r} declared twice for one API version")
        missing = set(_PATH_PARAM.findall(declared.http_path or "")) - set(input_model.model_fields)
        if missing:
            raise ValueError(f"tool {declared.name!r}: path names {missing} its input lacks")
        if opens_sandbox and not {"repo_name", "reuse_token", "branch"} <= set(
            input_model.model_fields
        ):
            raise ValueError(f"tool {declared.name!r} opens a sandbox its input does not name")
        registered = Tool(
            input_model=input_model,
            output_model=hints["return"],
            handler=handler,
            opens_sandbox=opens_sandbox,
            toolset=toolset_of(declared.name),
            **vars(declared),
        )
        self._tools[(declared.name, declared.api_version)] = registered
        self._names = None
        return registered

    def add_built(self, registered: Tool) -> None:
        """Add a tool built elsewhere (a plugin's); ``plugin_tools`` checked its name is free."""
        self._tools[registered.name, registered.api_version] = registered
        self._names = None

    def __iter__(self) -> Iterator[Tool]:
        """Version 1: the unversioned paths, the CLI, the tool table."""
        return iter(self.tools(1))

    def tools(self, api_version: int) -> list[Tool]:
        """What ``api_version`` serves: each tool's newest variant not newer than it."""
        served: dict[str, Tool] = {}
        for (name, since), found in self._tools.items():
            if since <= api_version and since >= served.get(name, found).api_version:
                served[name] = found
        return list(served.values())

    def get(self, name: str, api_version: int = 1) -> Tool:
        for found in (t for t in self.tools(api_version) if t.name == name):
            return found
        raise NotFound(f"no tool named {name!r}; see the tool list")

    @staticmethod
    def authorize(scope: Scope, principal: Principal, what: str) -> None:
        """Raise ``InsufficientScope`` unless ``principal`` holds ``scope`` (``what`` needs it)."""
        if not holds(principal, scope):
            raise InsufficientScope(f"{what} needs {needs(scope)}")

    def admit(
        self,
        services: Services,
        caller: Caller,
        *,
        name: str,
        scope: Scope = "sandbox",
        request_id: str,
        transport: str,
        client: str | None = None,
        person_scope: Scope | None = None,
    ) -> Principal:
        """Authenticate ``caller`` and check ``scope``: the first two steps of every call.

        ``invoke`` starts with it; an entry point that is not a tool call (the MCP endpoint,
        the admin schema) calls it alone. A refusal is audited and reported here, once.
        """
        started = time.perf_counter()
        principal = caller if isinstance(caller, Principal) else None
        try:
            if principal is None:
                assert isinstance(caller, Bearer)
                principal = authenticate(services, caller)
            if person_scope is not None and principal.signed_in:
                scope = person_scope
            self.authorize(scope, principal, name)
            return principal
        except DraftroomError as exc:
            outcome = Outcome(name, request_id, transport, client, started, exc)
            outcome.audit(services.database, audit_key(services), principal)
            outcome.report(services, writes=False, principal=principal)
            raise

    def invoke(
        self,
        tool: Tool,
        services: Services,
        caller: Caller,
        payload: Payload,
        *,
        request_id: str | None = None,
        transport: str = "http",
        client: str | None = None,
        detail: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        selection: Selection | None = None,
        progress: Progress | None = None,
    ) -> BaseModel:
        """Run one call whole: authenticate, scope, validate, open the sandbox, handle, audit,
        report. The audit row shares the call's session (``Call.end``): one commit per call.

        ``client`` is the caller's address when the transport has one (lockouts count by it);
        ``detail`` adds the caller's facts to the row's (e.g. ``local`` for local mode);
        ``idempotency_key`` is the transport's own (the HTTP header), beside the input field.
        ``selection`` refuses tools outside the caller's toolsets, or writes when read-only;
        ``progress`` hears a long call's steps (``Call.report``).
        """
        request_id = request_id or uuid.uuid4().hex
        started = time.perf_counter()
        principal = self.admit(
            services,
            caller,
            name=tool.name,
            scope=tool.scope,
            request_id=request_id,
            transport=transport,
            client=client,
            person_scope=tool.person_scope,
        )
        call = Call(
            services, principal, request_id, tool.name, transport, client=client, progress=progress
        )
        call.plugins = self.plugins
        call.audit.detail.update(detail or {})
        outcome = Outcome(tool.name, request_id, transport, client, started)
        try:
            return self._run(tool, call, payload, outcome, idempotency_key, selection)
        except DraftroomError as exc:
            outcome.error = exc
            raise
        except Exception as exc:
            logger.exception("tool %s failed unexpectedly (request %s)", tool.name, request_id)
            internal = DraftroomError("internal error; the request was not applied")
            outcome.error = internal
            raise internal from exc
        finally:
            self._end(tool, call, outcome, principal)

    def _end(self, tool: Tool, call: Call, outcome: Outcome, principal: Principal) -> None:
        """The audit row, the idempotency claim released on failure, the report."""
        services = call.services
        key = audit_key(services)
        call.end(
            lambda session: outcome.audit(session, key, principal, call), failed=outcome.failed
        )
        if outcome.claim is not None and outcome.failed:
            idempotency.release(services, outcome.claim)
        if outcome.error is not None:
            self.plugins.on_tool_error(call, outcome.error)
        outcome.report(services, writes=tool.writes, call=call, principal=principal)

    def _run(
        self,
        tool: Tool,
        call: Call,
        payload: Payload,
        outcome: Outcome,
        idempotency_key: str | None,
        selection: Selection | None,
    ) -> BaseModel:
        """What ``invoke`` does between admission and the audit row."""
        if tool.local_only and call.transport not in LOCAL_TRANSPORTS:
            where = f"the server's own command line (draftroom call {tool.name})"
            raise InsufficientScope(f"{tool.name} is only for {where}")
        if tool.api_version > 1:
            call.audit.detail["api_version"] = tool.api_version
        if selection is not None:
            selection.check(tool.name, tool.writes)
        body = validate(tool.input_model, payload)
        first = None
        if tool.writes:
            outcome.claim, first = claim_key(call, body, idempotency_key, tool.api_version)
        if first is not None:
            call.audit.detail["idempotent_replay"] = True
            return tool.output_model.model_validate(first)
        output = _handle(tool, call, body)
        if outcome.claim is not None:
            idempotency.finish(call.session, outcome.claim, output.model_dump(mode="json"))
        return output

    def render(self, text: str, surface: Callable[[Tool], str]) -> str:
        """``text`` with each tool name (``memory.query``) as ``surface`` names that tool.

        Domain messages name tools; each adapter renders them as its callers know them
        (an HTTP path, an MCP tool name).
        """
        if self._names is None:
            names = sorted({name for name, _ in self._tools}, key=len, reverse=True)
            alternatives = "|".join(re.escape(name) for name in names) or r"(?!)"
            self._names = re.compile(rf"(?<![\w./])(?:{alternatives})(?![\w])")
        return self._names.sub(lambda found: surface(self.get(found.group(0), LATEST)), text)


def _handle(tool: Tool, call: Call, body: Any) -> BaseModel:
    """Open the sandbox the input names (when the tool takes one), then run the handler."""
    sandbox = None
    if tool.opens_sandbox:
        sandbox = open_callers_sandbox(
            call,
            call.session,
            body.repo_name,
            body.reuse_token,
            body.branch,
            read_archived=tool.reads_archived,
        )
        call.save()  # the token check's one write: no write lock held while git works
    return tool.handler(call, sandbox, body)
