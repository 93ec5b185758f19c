"""``draftroom oauth``: OAuth clients for sign-in (a Custom GPT's client id and secret).

Each command is one registered tool called through ``cli_calls.run_tool``; here are only
its options and how its answer is printed. The secret is printed once.
"""

from __future__ import annotations

from typing import Annotated

import typer

from draftroom.adapters.cli_calls import DataDir, OrgOption, run_tool

oauth_app = typer.Typer(help="Sign-in: OAuth clients.", no_args_is_help=True)
client_app = typer.Typer(help="Add and revoke OAuth clients.", no_args_is_help=True)
oauth_app.add_typer(client_app, name="client")


@client_app.command("add")
def client_add(
    context: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Shown on the sign-in page.")],
    redirect_uri: Annotated[
        list[str], typer.Option("--redirect-uri", help="The exact callback URL (repeatable).")
    ],
    data_dir: DataDir = None,
    org: OrgOption = None,
) -> None:
    """Add a confidential client (a Custom GPT's sign-in); prints its id and secret once."""
    payload = {"name": name, "redirect_uris": redirect_uri}
    client = run_tool(context, data_dir, "admin.oauth_clients.add", payload)
    typer.echo(f"created OAuth client {client['name']!r} for {', '.join(client['redirect_uris'])}")
    typer.echo(f"client id: {client['client_id']}")
    typer.echo(f"client secret (shown once): {client['client_secret']}")


@client_app.command("revoke")
def client_revoke(
    context: typer.Context,
    client_id: Annotated[str, typer.Argument(metavar="CLIENT_ID")],
    data_dir: DataDir = None,
    org: OrgOption = None,
) -> None:
    """Revoke a client; every sign-in through it stops at once."""
    client = run_tool(context, data_dir, "admin.oauth_clients.revoke", {"client_id": client_id})
    typer.echo(f"revoked OAuth client {client['client_id']} at {client['revoked_at'].isoformat()}")
