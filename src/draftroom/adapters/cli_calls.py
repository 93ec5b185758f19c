"""The one way the command line acts on a data dir: a ``Registry.invoke`` call, ``transport="cli"``.

So every command is scope-checked and audited like an HTTP or MCP call. The CLI acts as the
data dir's owner (``domain.access.local.owner_principal``) unless ``--key`` (env
``DRAFTROOM_API_KEY``) names an API key, which is then authenticated like a bearer key.
Only a command whose tool creates something (a repository, a key, a credential: a tool
answering 201) may start a missing data dir; any other (a read, an approval, a revocation)
fails with one line naming the directory and creates nothing.
This module must never call the domain to do a tool's work.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from pydantic import BaseModel

from draftroom.config import Settings
from draftroom.domain.access import Bearer
from draftroom.domain.calls import Services
from draftroom.domain.orgs import prepare_data_dir
from draftroom.domain.repos import owner_principal
from draftroom.errors import DraftroomError, InvalidInput, NotFound
from draftroom.tools import build_registry
from draftroom.tools.registry import Caller

TRANSPORT = "cli"
FAILURE_LOG = "draftroom.audit"
"""The logger failed calls are reported on (``domain.calls.failures``): shown with --verbose."""
ADDRESS_FILE = "served.json"
"""In the data dir: the host and port the latest ``draftroom serve`` listens on."""

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="DRAFTROOM_DATA_DIR", help="Default ./.draftroom"),
]
OrgOption = Annotated[
    str | None,
    typer.Option("--org", metavar="SLUG", help="The org to act in (default: 'default')."),
]
"""A data command's ``--org``: ``invoke`` reads it from the command's parameters."""


@dataclass(frozen=True)
class CliOptions:
    """The global options given before the command (``draftroom --key K --verbose …``)."""

    key: str | None = None
    verbose: bool = False


def existing_settings(data_dir: Path | None) -> Settings:
    """The settings of a data dir that must already exist; else exit 1 naming it."""
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    if not settings.data_dir.is_dir():
        where = settings.data_dir.resolve()
        raise fail(
            NotFound(
                f"no data dir at {where}: start one with 'draftroom serve', or give "
                "--data-dir (env DRAFTROOM_DATA_DIR)"
            )
        )
    return settings


def open_services(data_dir: Path | None, *, must_exist: bool = False) -> Services:
    """The data dir's services, its database migrated; the directory created unless
    ``must_exist`` (then a missing one exits 1, creating nothing)."""
    if must_exist:
        settings = existing_settings(data_dir)
    else:
        settings = Settings(data_dir=data_dir) if data_dir else Settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = Services(settings)
    services.database.migrate()
    prepare_data_dir(services)  # the per-org layout, for `serve`, `mcp` and every command
    return services


def record_address(data_dir: Path, host: str, port: int) -> None:
    """Keep the address being served in the data dir, for ``draftroom gpt``."""
    (data_dir / ADDRESS_FILE).write_text(json.dumps({"host": host, "port": port}) + "\n")


def served_address(data_dir: Path) -> dict[str, Any]:
    """``{host, port}`` the latest ``draftroom serve`` on ``data_dir`` recorded ({} if none)."""
    try:
        found = json.loads((data_dir / ADDRESS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    host, port = found.get("host"), found.get("port")
    if not isinstance(host, str) or not isinstance(port, int) or not 0 < port < 65536:
        return {}
    return {"host": host, "port": port}


def fail(exc: DraftroomError) -> typer.Exit:
    """Print ``exc`` as one line on stderr (its paths too, for a conflict); exit status 1."""
    for path in exc.details.get("paths", []):
        typer.echo(f"conflict: {path}", err=True)
    typer.echo(f"error: {exc.code}: {exc.message}", err=True)
    return typer.Exit(1)


def _options(context: typer.Context) -> CliOptions:
    found = context.find_root().obj
    return found if isinstance(found, CliOptions) else CliOptions()


def acting_key(context: typer.Context) -> str | None:
    """The ``--key`` given to ``draftroom`` (``options`` keeps it in the root context's obj)."""
    return _options(context).key


def _show_failure_log(verbose: bool) -> None:
    """A refusal is audited and printed as one line; its JSON log line only with --verbose."""
    failures = logging.getLogger(FAILURE_LOG)
    if failures.handlers:
        return
    handler = logging.StreamHandler(sys.stderr) if verbose else logging.NullHandler()
    failures.addHandler(handler)


def _caller(services: Services, key: str | None, org: str | None) -> Caller:
    """Who the command acts as: the API key ``key`` (checked by the registry), else the
    owner of ``org`` (default: the data dir's own org)."""
    if key is None:
        return owner_principal(services, org)
    if org is not None:
        raise InvalidInput("give --org or --key, not both: a key acts in its own org")
    return Bearer(key.strip() or None)


def invoke(
    context: typer.Context,
    data_dir: Path | None,
    tool_name: str,
    payload: dict[str, Any],
    *,
    must_exist: bool | None = None,
) -> BaseModel:
    """Run the registered tool ``tool_name`` on ``payload`` as the ``--key`` (else the owner
    of the command's ``--org``, an ``OrgOption`` parameter).

    ``must_exist`` (default: unless the tool creates something) refuses a missing data dir
    instead of creating it. A refusal raises ``DraftroomError``, audited by the registry like any other.
    """
    _show_failure_log(_options(context).verbose)
    registry = build_registry()
    tool = registry.get(tool_name)
    exists = tool.created_status != 201 if must_exist is None else must_exist
    services = open_services(data_dir, must_exist=exists)
    context.call_on_close(services.database.dispose)  # its connections end with the command
    caller = _caller(services, acting_key(context), context.params.get("org"))
    return registry.invoke(tool, services, caller, payload, transport=TRANSPORT)


def run_tool(
    context: typer.Context,
    data_dir: Path | None,
    tool_name: str,
    payload: dict[str, Any],
    mode: Literal["python", "json"] = "python",
    *,
    must_exist: bool | None = None,
) -> dict[str, Any]:
    """``invoke`` on the data dir, its output as a dict; a refusal exits 1 with ``fail``."""
    try:
        output = invoke(context, data_dir, tool_name, payload, must_exist=must_exist)
    except DraftroomError as exc:
        raise fail(exc) from None
    return output.model_dump(mode=mode)
