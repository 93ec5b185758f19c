"""The CLI's privacy requests: ``draftroom privacy export|erase --user EMAIL``.

``export`` runs ``admin.privacy.export`` (which finds the person and records the request),
then writes every record held about them as JSON lines; ``erase`` runs
``admin.privacy.erase`` and asks for ``--yes`` first: it cannot be undone.
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from draftroom.adapters.cli_calls import DataDir, OrgOption, open_services, run_tool
from draftroom.domain.privacy import person_records

privacy_app = typer.Typer(
    help="Privacy requests: a person's data, and erasing it.", no_args_is_help=True
)
User = Annotated[str, typer.Option("--user", help="The person's email.")]


@privacy_app.command("export")
def privacy_export(
    context: typer.Context,
    user: User,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
    data_dir: DataDir = None,
    org: OrgOption = None,
) -> None:
    """Write everything held about a person: profile, keys, sandboxes, audit rows (JSON lines)."""
    found = run_tool(context, data_dir, "admin.privacy.export", {"email": user})
    services = open_services(data_dir, must_exist=True)
    try:
        target = output.open("w", encoding="utf-8") if output else None
        with target or nullcontext(sys.stdout) as out:
            for record in person_records(services, found["user_id"]):
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
    finally:
        services.database.dispose()


@privacy_app.command("erase")
def privacy_erase(
    context: typer.Context,
    user: User,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
    delete_sandboxes: Annotated[
        bool, typer.Option("--delete-sandboxes", help="Delete their sandboxes, not archive them.")
    ] = False,
    data_dir: DataDir = None,
    org: OrgOption = None,
) -> None:
    """Erase a person: keys and sign-ins revoked, personal data deleted, audit rows
    pseudonymized (the trail still verifies), sandboxes archived or deleted."""
    if not yes:
        typer.echo("erasing a person cannot be undone; run again with --yes", err=True)
        raise typer.Exit(2)
    payload = {"email": user, "delete_sandboxes": delete_sandboxes}
    done = run_tool(context, data_dir, "admin.privacy.erase", payload)
    typer.echo(
        f"erased person {done['user_id']}: {done['keys_revoked']} keys revoked, "
        f"{done['audit_rows']} audit rows pseudonymized, {done['sandboxes']} sandboxes "
        + ("deleted" if delete_sandboxes else "archived")
    )
