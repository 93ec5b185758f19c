"""The ``draftroom`` command line: serve, MCP over stdio, GPT setup, and the registry's tools.

Every command that acts on a data dir is a registered tool called through ``cli_calls``
(scope-checked, audited with ``detail.transport == "cli"``): the admin commands in
``cli_admin``, and ``draftroom call`` for any tool by name. Thin: no domain logic here.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Annotated, Any

import typer

from draftroom.adapters.cli_admin import credential_app, key_app, merge_app, repo_app, token_app
from draftroom.adapters.cli_calls import DataDir, acting_key, fail, invoke, open_services
from draftroom.adapters.gpt import gpt_setup
from draftroom.config import Settings
from draftroom.domain.repos import setup_default
from draftroom.errors import DraftroomError

app = typer.Typer(
    help="draftroom: private sandbox branches for AI assistants.", no_args_is_help=True
)
app.add_typer(repo_app, name="repo")
app.add_typer(key_app, name="key")
app.add_typer(token_app, name="token")
app.add_typer(merge_app, name="merge")
app.add_typer(credential_app, name="credential")


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
) -> None:
    """draftroom: private sandbox branches for AI assistants."""
    context.obj = key


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API; on an empty data dir, create the embedded default first."""
    import uvicorn

    services = open_services(data_dir)
    settings = services.settings
    plaintext = setup_default(services)
    key_file = settings.data_dir / "admin.key"
    # Never the key itself: server output ends up in logs other people read.
    made = "created, " if plaintext else ""
    typer.echo(f"Admin API key: in {key_file.resolve()} ({made}readable by you only)")
    typer.echo(f"Serving on http://{host}:{port}  (schema: {settings.public_url}/openapi.json)")
    os.environ["DRAFTROOM_DATA_DIR"] = str(settings.data_dir.resolve())
    app_path = "draftroom.adapters.http:app_from_env"
    # X-Forwarded-For is read by the app, only from DRAFTROOM_TRUSTED_PROXIES (uvicorn's own
    # default would believe any process on loopback).
    proxies: dict[str, Any] = {"proxy_headers": False}
    if workers == 1:
        uvicorn.run(app_path, factory=True, host=host, port=port, log_level="info", **proxies)
        return
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        app_path, factory=True, host=host, port=port, workers=workers, log_level="info", **proxies
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
        output = invoke(open_services(data_dir), acting_key(context), tool, payload)
    except DraftroomError as exc:
        typer.echo(json.dumps({"error": exc.to_dict()}, indent=2))
        raise fail(exc) from None
    typer.echo(json.dumps(output.model_dump(mode="json"), indent=2))


@app.command()
def gpt(data_dir: DataDir = None) -> None:
    """Print what to paste into the Custom GPT editor."""
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    typer.echo(gpt_setup(settings.public_url))


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
) -> None:
    """Serve MCP over stdio as the data dir's owner (admin); --repo: one sandbox of your repo."""
    from draftroom.adapters.mcp_local import serve_data_dir, serve_repository
    from draftroom.domain.repos import local_data_dir

    try:
        if repo is None:
            serve_data_dir(open_services(data_dir))
        else:
            serve_repository(open_services(data_dir or local_data_dir(repo)), repo)
    except DraftroomError as exc:
        raise fail(exc) from None


def main() -> None:
    app()
