"""The CLI's people commands: ``draftroom user add|list|set|remove``.

Each command is one registered tool (``admin.users.*``) called through ``cli_calls.run_tool``;
here are only its options and how its answer is printed. A password is read from stdin,
never from the command line (where ``ps`` and shell history would keep it), and never printed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from draftroom.adapters.cli_calls import DataDir, OrgOption, run_tool

user_app = typer.Typer(
    help="Add, list, change the role of and remove the people of an org.", no_args_is_help=True
)


class PersonRole(StrEnum):
    owner = "owner"
    reviewer = "reviewer"
    member = "member"


@user_app.command("add")
def user_add(
    context: typer.Context,
    email: str,
    role: Annotated[
        PersonRole,
        typer.Option(
            help="owner: everything in the org; reviewer: every sandbox, approves merges; "
            "member: their own sandboxes."
        ),
    ],
    data_dir: DataDir = None,
    org: OrgOption = None,
    name: Annotated[str | None, typer.Option(help="How to call them.")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read their password (one line) from stdin."),
    ] = False,
) -> None:
    """Add a person to the org with a role; give them a key with 'draftroom key create --user'."""
    payload: dict[str, Any] = {"email": email, "role": role.value, "name": name}
    if password_stdin:
        payload["password"] = typer.get_text_stream("stdin").readline().rstrip("\r\n")
    person = run_tool(context, data_dir, "admin.users.add", payload)
    typer.echo(f"added {person['role']} {person['email']}")


@user_app.command("list")
def user_list(context: typer.Context, data_dir: DataDir = None, org: OrgOption = None) -> None:
    """List the org's people: email, role, live keys, password set, name; removed ones too."""
    found = run_tool(context, data_dir, "admin.users.list", {})["users"]
    if not found:
        typer.echo("no people; add one with 'draftroom user add'")
    for person in found:
        state = f"removed {person['removed_at'].isoformat()}" if person["removed_at"] else "live"
        password = "password" if person["has_password"] else "no password"
        typer.echo(
            f"{person['email']}  {person['role']:<8}  {state}  {person['live_keys']} live keys  "
            f"{password}  {person['name'] or ''}".rstrip()
        )


@user_app.command("set")
def user_set(
    context: typer.Context,
    email: str,
    role: Annotated[PersonRole, typer.Option(help="Their new role.")],
    data_dir: DataDir = None,
    org: OrgOption = None,
) -> None:
    """Change a person's role: their keys act with it from their next call."""
    person = run_tool(context, data_dir, "admin.users.set", {"email": email, "role": role.value})
    typer.echo(f"{person['email']} is now {person['role']}")


@user_app.command("remove")
def user_remove(
    context: typer.Context, email: str, data_dir: DataDir = None, org: OrgOption = None
) -> None:
    """Remove a person: their keys stop working at once; their sandboxes stay."""
    person = run_tool(context, data_dir, "admin.users.remove", {"email": email})
    typer.echo(f"removed {person['email']} at {person['removed_at'].isoformat()}")
