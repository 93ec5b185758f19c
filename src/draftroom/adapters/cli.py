"""The ``draftroom`` command line: serve, repositories, keys, GPT setup. Thin over the domain."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from draftroom.adapters.gpt import gpt_setup
from draftroom.config import Settings
from draftroom.domain.repositories import register_repository
from draftroom.domain.services import Services
from draftroom.domain.setup import setup_default
from draftroom.domain.tokens import issue_api_key
from draftroom.errors import DraftroomError
from draftroom.store import get_or_create_org

app = typer.Typer(
    help="draftroom: private sandbox branches for AI assistants.", no_args_is_help=True
)
repo_app = typer.Typer(help="Register repositories.", no_args_is_help=True)
key_app = typer.Typer(help="Create API keys.", no_args_is_help=True)
app.add_typer(repo_app, name="repo")
app.add_typer(key_app, name="key")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="DRAFTROOM_DATA_DIR", help="Default ./.draftroom"),
]


class Role(StrEnum):
    agent = "agent"
    admin = "admin"


def _services(data_dir: Path | None) -> Services:
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = Services(settings)
    services.database.migrate()
    return services


def _fail(exc: DraftroomError) -> typer.Exit:
    typer.echo(f"error: {exc.code}: {exc.message}", err=True)
    return typer.Exit(1)


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API; on an empty data dir, create the embedded default first."""
    import uvicorn

    services = _services(data_dir)
    settings = services.settings
    plaintext = setup_default(services)
    key_file = settings.data_dir / "admin.key"
    if plaintext:
        typer.echo(f"Admin API key (shown once, also saved to {key_file}):\n{plaintext}")
    else:
        typer.echo(f"Admin API key: see {key_file}")
    typer.echo(f"Serving on http://{host}:{port}  (schema: {settings.public_url}/openapi.json)")
    os.environ["DRAFTROOM_DATA_DIR"] = str(settings.data_dir.resolve())
    uvicorn.run(
        "draftroom.adapters.http:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


@repo_app.command("add")
def repo_add(
    name: str,
    data_dir: DataDir = None,
    init: Annotated[bool, typer.Option("--init", help="Create a new bare repository.")] = False,
    path: Annotated[Path | None, typer.Option("--path", help="An existing git repository.")] = None,
) -> None:
    """Register a repository: a new one (--init) or an existing one (--path)."""
    if init == (path is not None):
        typer.echo("error: give exactly one of --init or --path", err=True)
        raise typer.Exit(2)
    services = _services(data_dir)
    try:
        with services.database.session() as session:
            org = get_or_create_org(session, services.settings.org)
            record = register_repository(services, session, org.id, name, path=path)
            typer.echo(f"registered {record.name}: {record.path}")
    except DraftroomError as exc:
        raise _fail(exc) from None


@key_app.command("create")
def key_create(
    data_dir: DataDir = None,
    role: Annotated[
        Role, typer.Option(help="agent: sandbox tools; admin: everything.")
    ] = Role.agent,
    label: Annotated[str | None, typer.Option(help="A note on who holds it.")] = None,
) -> None:
    """Create an API key; it is printed once, as the last line."""
    services = _services(data_dir)
    with services.database.session() as session:
        org = get_or_create_org(session, services.settings.org)
        key, plaintext = issue_api_key(session, org.id, role.value, label=label)
    typer.echo(f"created {role.value} key {key.id} (shown once):")
    typer.echo(plaintext)


@app.command()
def gpt(data_dir: DataDir = None) -> None:
    """Print what to paste into the Custom GPT editor."""
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    typer.echo(gpt_setup(settings.public_url))


def main() -> None:
    app()
