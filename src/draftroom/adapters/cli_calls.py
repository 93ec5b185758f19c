"""The one way the command line acts on a data dir: a ``Registry.invoke`` call, ``transport="cli"``.

So every command is scope-checked and audited like an HTTP or MCP call. The CLI acts as the
data dir's owner (``domain.access.local.owner_principal``) unless ``--key`` (env
``DRAFTROOM_API_KEY``) names an API key, which is then authenticated like a bearer key.
This module must never call the domain to do a tool's work.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from pydantic import BaseModel

from draftroom.config import Settings
from draftroom.domain.access import Bearer
from draftroom.domain.calls import Services
from draftroom.domain.repos import owner_principal
from draftroom.errors import DraftroomError
from draftroom.tools import build_registry
from draftroom.tools.registry import Caller

TRANSPORT = "cli"
FAILURE_LOG = "draftroom.audit"
"""The logger failed calls are reported on (``domain.calls.failures``): silent here."""

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="DRAFTROOM_DATA_DIR", help="Default ./.draftroom"),
]


def open_services(data_dir: Path | None) -> Services:
    """The data dir's services, its directory created and its database migrated."""
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = Services(settings)
    services.database.migrate()
    return services


def fail(exc: DraftroomError) -> typer.Exit:
    """Print ``exc`` as one line on stderr (its paths too, for a conflict); exit status 1."""
    for path in exc.details.get("paths", []):
        typer.echo(f"conflict: {path}", err=True)
    typer.echo(f"error: {exc.code}: {exc.message}", err=True)
    return typer.Exit(1)


def acting_key(context: typer.Context) -> str | None:
    """The ``--key`` given to ``draftroom`` (``options`` keeps it as the root context's obj)."""
    key = context.find_root().obj
    return key if isinstance(key, str) else None


def _caller(services: Services, key: str | None) -> Caller:
    """Who the command acts as: the API key ``key`` (checked by the registry), else the owner."""
    return owner_principal(services) if key is None else Bearer(key.strip() or None)


def invoke(
    services: Services, key: str | None, tool_name: str, payload: dict[str, Any]
) -> BaseModel:
    """Run the registered tool ``tool_name`` on ``payload`` as ``key`` (None: the owner).

    A refusal raises ``DraftroomError``, audited by the registry like any other call's.
    """
    failures = logging.getLogger(FAILURE_LOG)
    if not failures.handlers:
        # The refusal is audited and printed as one line; no second, JSON line on stderr.
        failures.addHandler(logging.NullHandler())
    registry = build_registry()
    caller = _caller(services, key)
    return registry.invoke(registry.get(tool_name), services, caller, payload, transport=TRANSPORT)


def run_tool(
    context: typer.Context,
    data_dir: Path | None,
    tool_name: str,
    payload: dict[str, Any],
    mode: Literal["python", "json"] = "python",
) -> dict[str, Any]:
    """``invoke`` on the data dir, its output as a dict; a refusal exits 1 with ``fail``."""
    try:
        output = invoke(open_services(data_dir), acting_key(context), tool_name, payload)
    except DraftroomError as exc:
        raise fail(exc) from None
    return output.model_dump(mode=mode)
