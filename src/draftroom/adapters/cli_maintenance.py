"""``draftroom maintenance run``: the registered tool ``admin.maintenance.run``, one line
per step (what it did, and what it could not)."""

from __future__ import annotations

import typer

from draftroom.adapters.cli_calls import DataDir, run_tool

maintenance_app = typer.Typer(help="Keep repositories and tables small.", no_args_is_help=True)


@maintenance_app.command("run")
def maintenance_run(context: typer.Context, data_dir: DataDir = None) -> None:
    """Repack and prune repositories, remove stale locks, purge expired tokens and sessions,
    archive idle sandboxes; exit 1 when a step could not handle something."""
    found = run_tool(context, data_dir, "admin.maintenance.run", {})
    failed = False
    for step in found["steps"]:
        typer.echo(f"{step['name']}: {step['summary']}")
        for failure in step["failures"]:
            typer.echo(f"{step['name']}: failed: {failure}", err=True)
            failed = True
    if failed:
        raise typer.Exit(1)
