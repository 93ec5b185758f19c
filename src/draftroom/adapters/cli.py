"""The ``draftroom`` command line: serve, MCP over stdio, GPT setup, and the registry's tools.

Every command that acts on a data dir is a registered tool called through ``cli_calls``
(scope-checked, audited with ``detail.transport == "cli"``): the admin commands in
``cli_admin``, and ``draftroom call`` for any tool by name. Thin: no domain logic here.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from draftroom.adapters.cli_admin import (
    credential_app,
    key_app,
    repo_app,
    sandbox_app,
    token_app,
)
from draftroom.adapters.cli_api import api_app
from draftroom.adapters.cli_audit import audit_app
from draftroom.adapters.cli_calls import (
    CliOptions,
    DataDir,
    OrgOption,
    existing_settings,
    fail,
    invoke,
    open_services,
    record_address,
    run_tool,
    served_address,
)
from draftroom.adapters.cli_maintenance import maintenance_app
from draftroom.adapters.cli_merge import merge_app
from draftroom.adapters.cli_oauth import oauth_app
from draftroom.adapters.cli_orgs import org_app
from draftroom.adapters.cli_plugins import plugin_app
from draftroom.adapters.cli_privacy import privacy_app
from draftroom.adapters.cli_templates import template_app
from draftroom.adapters.cli_users import user_app
from draftroom.adapters.gpt import gpt_setup, oauth_setup, prompt_pack
from draftroom.adapters.ops_http import announcer, prepare_serving, serve_metrics
from draftroom.config import Settings, served_url
from draftroom.domain.repos import setup_default
from draftroom.errors import DraftroomError, NotFound
from draftroom.tools import build_registry
from draftroom.tools.toolsets import TOOLSETS, Selection
from draftroom.tools.versions import LATEST, parse_api

Toolsets = Annotated[
    str | None,
    typer.Option(
        "--toolsets",
        help=f"Comma-separated toolsets to load ({', '.join(TOOLSETS)}); default: all.",
    ),
]

app = typer.Typer(
    help="draftroom: private sandbox branches for AI assistants.", no_args_is_help=True
)
app.add_typer(repo_app, name="repo")
app.add_typer(key_app, name="key")
app.add_typer(token_app, name="token")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(merge_app, name="merge")
app.add_typer(credential_app, name="credential")
app.add_typer(oauth_app, name="oauth")
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(privacy_app, name="privacy")
app.add_typer(maintenance_app, name="maintenance")
app.add_typer(template_app, name="template")
app.add_typer(api_app, name="api")
app.add_typer(plugin_app, name="plugin")


@app.callback()
def options(
    context: typer.Context,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            envvar="DRAFTROOM_API_KEY",
            help="Act as this API key (checked like a bearer key); default: the data dir's owner.",
            show_envvar=True,
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="Also log each failed call as a JSON line.")
    ] = False,
) -> None:
    """draftroom: private sandbox branches for AI assistants."""
    context.obj = CliOptions(key=key, verbose=verbose)


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Also serve /metrics without auth on this port of --host (default "
            "DRAFTROOM_METRICS_PORT; else only /metrics with an admin key).",
        ),
    ] = None,
) -> None:
    """Serve the API; on an empty data dir, create the embedded default first."""
    import uvicorn

    # The app factory (in this process or in each worker) reads the address served from
    # the environment: the schema's `servers` names it unless DRAFTROOM_PUBLIC_URL is set.
    os.environ["DRAFTROOM_HOST"], os.environ["DRAFTROOM_PORT"] = host, str(port)
    registry = build_registry()  # an installed plugin it cannot serve stops it here, in one line
    services = open_services(data_dir)
    settings = services.settings
    logs = prepare_serving(services)  # logging, and the metrics dir before any metric exists
    announce = announcer(settings.log_format)
    plaintext = setup_default(services)
    key_file = settings.data_dir / "admin.key"
    # Never the key itself: server output ends up in logs other people read.
    made = "created, " if plaintext else ""
    announce(f"Admin API key: in {key_file.resolve()} ({made}readable by you only)")
    record_address(settings.data_dir, host, port)
    announce(f"Serving on {served_url(host, port)}  (schema: {settings.public_url}/openapi.json)")
    metrics_port = metrics_port or settings.metrics_port
    if metrics_port is not None:
        serve_metrics(services, host, metrics_port)
        announce(f"Metrics on {served_url(host, metrics_port)}/metrics (no auth)")
    os.environ["DRAFTROOM_DATA_DIR"] = str(settings.data_dir.resolve())
    # X-Forwarded-For is read by the app, only from DRAFTROOM_TRUSTED_PROXIES (uvicorn's own
    # default would believe any process on loopback).
    options: dict[str, Any] = {"proxy_headers": False, "log_config": logs, "log_level": "info"}
    if workers == 1:  # this process serves: its app takes the registry just built
        from draftroom.adapters.http import app_from_env

        factory = partial(app_from_env, registry)
        uvicorn.run(factory, factory=True, host=host, port=port, **options)
        return
    from uvicorn.supervisors import Multiprocess

    # Each worker is a new process that imports the factory and builds its own registry.
    app_path = "draftroom.adapters.http:app_from_env"
    config = uvicorn.Config(
        app_path, factory=True, host=host, port=port, workers=workers, **options
    )
    sock = config.bind_socket()
    # uvicorn opens this socket with proto 0, so asyncio leaves Nagle on for the connections
    # it accepts and every response body waits ~40 ms for a delayed ACK. Accepted sockets
    # inherit TCP_NODELAY from the listening one.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()


@app.command("call")
def call_tool(
    context: typer.Context,
    tool: Annotated[str, typer.Argument(metavar="TOOL", help="A tool's name, e.g. files.read.")],
    data_dir: DataDir = None,
    org: OrgOption = None,
    input_json: Annotated[
        str, typer.Option("--json", help="The tool's input as a JSON object; '-' reads stdin.")
    ] = "{}",
) -> None:
    """Call any tool by name: its input as JSON, its answer as JSON on stdout (exit 1 on error)."""
    text = typer.get_text_stream("stdin").read() if input_json == "-" else input_json
    try:
        payload: Any = json.loads(text)
    except ValueError as exc:
        typer.echo(f"error: --json is not valid JSON: {exc}", err=True)
        raise typer.Exit(2) from None
    if not isinstance(payload, dict):
        typer.echo("error: --json must be a JSON object", err=True)
        raise typer.Exit(2)
    try:
        output = invoke(context, data_dir, tool, payload)
    except DraftroomError as exc:
        typer.echo(json.dumps({"error": exc.to_dict()}, indent=2))
        raise fail(exc) from None
    typer.echo(json.dumps(output.model_dump(mode="json"), indent=2))


def _pack(context: typer.Context, data_dir: Path, spec: str) -> str:
    """The instructions' part for template ``spec`` (NAME or NAME@VERSION), from templates.list."""
    name, _, version = spec.partition("@")
    found = run_tool(context, data_dir, "templates.list", {"name": name})["templates"]
    chosen = [t for t in found if version in ("", t["version"])]
    if not chosen:
        raise fail(NotFound(f"no template {spec!r}; see draftroom template list"))
    return prompt_pack(chosen[0])


@app.command()
def gpt(
    context: typer.Context,
    data_dir: DataDir = None,
    toolsets: Toolsets = None,
    api: Annotated[
        str | None, typer.Option("--api", help="The API version to import (default: newest).")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option("--template", metavar="NAME[@VERSION]", help="Add its prompt pack."),
    ] = None,
    org: OrgOption = None,
) -> None:
    """Print what to paste into the Custom GPT editor, for the address last served.

    The URL is DRAFTROOM_PUBLIC_URL, else the host and port the latest `draftroom serve`
    on this data dir listens on. ChatGPT calls only public https URLs: a warning says so.
    --toolsets gives a smaller schema; the import URL pins an API version (--api);
    --template adds that template's prompt pack.
    """
    settings = existing_settings(data_dir)
    url = Settings(data_dir=settings.data_dir, **served_address(settings.data_dir)).public_url
    try:
        query = Selection.parse(toolsets).query
        version = LATEST if api is None else parse_api(api)
    except DraftroomError as exc:
        raise fail(exc) from None
    pack = _pack(context, settings.data_dir, template) if template else ""
    typer.echo(gpt_setup(url, query, pack, version))
    typer.echo(oauth_setup(url))
    if not url.startswith("https://"):
        typer.echo(
            f"warning: ChatGPT calls only a public https URL, not {url}; serve draftroom "
            "where the internet reaches it over https and set DRAFTROOM_PUBLIC_URL to it",
            err=True,
        )


@app.command()
def mcp(
    data_dir: DataDir = None,
    repo: Annotated[
        Path | None,
        typer.Option(
            "--repo",
            help="Local mode: your own repository; default data dir <repo>/.git/draftroom.",
        ),
    ] = None,
    toolsets: Toolsets = None,
    read_only: Annotated[
        bool | None,
        typer.Option(
            "--read-only/--writable",
            help="List only reading tools and refuse writes (default DRAFTROOM_MCP_READ_ONLY).",
        ),
    ] = None,
    api: Annotated[
        str | None,
        typer.Option("--api", help="Pin an API version (v1, v2, …); default: the newest."),
    ] = None,
) -> None:
    """Serve MCP over stdio to an agent (sandbox tools only); --repo: one sandbox of your repo."""
    from draftroom.adapters.mcp_local import serve_data_dir, serve_repository
    from draftroom.domain.repos import local_data_dir

    try:
        version = LATEST if api is None else parse_api(api)
        services = open_services(data_dir if repo is None else data_dir or local_data_dir(repo))
        settings = services.settings
        selection = Selection.parse(
            toolsets if toolsets is not None else settings.mcp_toolsets,
            settings.mcp_read_only if read_only is None else read_only,
        )
        if repo is None:
            serve_data_dir(services, selection, version)
        else:
            serve_repository(services, repo, selection, version)
    except DraftroomError as exc:
        raise fail(exc) from None


def main() -> None:
    """Run the CLI; an unexpected failure (the disk, the database, a bad setting) is one line
    on stderr too, its traceback only with --verbose."""
    try:
        app()
    except Exception as exc:
        if "--verbose" in sys.argv[1:]:
            raise
        summary = " ".join(str(exc).split())[:500]
        typer.echo(f"error: {type(exc).__name__}: {summary} (--verbose: the traceback)", err=True)
        raise SystemExit(1) from None
