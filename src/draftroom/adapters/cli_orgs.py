"""``draftroom org``: add, list, export and delete orgs (the data dir's operator only).

Each command is one registered tool called through ``cli_calls.run_tool``; here are only its
options and how its answer is printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from draftroom.adapters.cli_admin import usage
from draftroom.adapters.cli_calls import DataDir, run_tool

org_app = typer.Typer(help="Add, list, export and delete orgs.", no_args_is_help=True)


@org_app.command("add")
def org_add(
    context: typer.Context,
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="e.g. acme-ml")],
    data_dir: DataDir = None,
    name: Annotated[str | None, typer.Option("--name", help="A display name.")] = None,
) -> None:
    """Add an org; its repositories will live under DATA_DIR/orgs/SLUG/."""
    org = run_tool(context, data_dir, "admin.orgs.add", {"slug": slug, "name": name})
    named = f" ({org['name']})" if org["name"] else ""
    typer.echo(f"added org {org['slug']}{named}")


@org_app.command("list")
def org_list(context: typer.Context, data_dir: DataDir = None) -> None:
    """Every org: slug, name, created, repositories, people, keys."""
    found = run_tool(context, data_dir, "admin.orgs.list", {}, mode="json")
    for org in found["orgs"]:
        typer.echo(
            f"{org['slug']}\t{org['name'] or '-'}\tcreated {org['created_at']}\t"
            f"{org['repositories']} repositories\t{org['people']} people\t{org['keys']} keys"
        )


@org_app.command("export")
def org_export(
    context: typer.Context,
    slug: Annotated[str, typer.Argument(metavar="SLUG")],
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="A new or empty directory.")],
    data_dir: DataDir = None,
) -> None:
    """Write the org's repositories (git bundles) and rows (org.json) into DIR."""
    payload = {"slug": slug, "dir": str(directory.resolve())}
    done = run_tool(context, data_dir, "admin.orgs.export", payload)
    typer.echo(f"exported {done['slug']} to {done['dir']}")
    for name in done["bundles"]:
        typer.echo(f"  repositories/{name}.bundle")
    rows = ", ".join(f"{count} {table}" for table, count in done["rows"].items())
    typer.echo(f"  org.json: {rows}")


@org_app.command("delete")
def org_delete(
    context: typer.Context,
    slug: Annotated[str, typer.Argument(metavar="SLUG")],
    data_dir: DataDir = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Really delete: its rows, keys and repositories.")
    ] = False,
) -> None:
    """Delete the org: every row of it, and DATA_DIR/orgs/SLUG/ (keys stop working)."""
    if not yes:
        raise usage(
            f"deleting org {slug!r} removes its keys, sandboxes, audit rows and repositories "
            "for good; run again with --yes (export it first: draftroom org export)"
        )
    done = run_tool(context, data_dir, "admin.orgs.delete", {"slug": slug})
    typer.echo(f"deleted org {done['slug']} ({len(done['repositories'])} repositories removed)")
    for path in done["left_in_place"]:
        typer.echo(f"  left in place (registered with --path): {path}")
