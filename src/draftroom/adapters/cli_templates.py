"""``draftroom template``: add a template version (a directory or git URL) and list them.

Each command is one registered tool called through ``cli_calls.run_tool``; here are only its
options and how its answer is printed.
"""

from __future__ import annotations

from typing import Annotated

import typer

from draftroom.adapters.cli_calls import DataDir, OrgOption, acting_key, fail, invoke, run_tool
from draftroom.errors import DraftroomError

template_app = typer.Typer(help="Add and list project templates.", no_args_is_help=True)


@template_app.command("add")
def template_add(
    context: typer.Context,
    source: Annotated[str, typer.Argument(metavar="PATH|GIT_URL")],
    data_dir: DataDir = None,
    org: OrgOption = None,
) -> None:
    """Check a template and keep it as a new version: for every org, or with --org for
    that org only (with --key: the key's org). Every problem found is printed; nothing is kept unless all is well."""
    shared = org is None and acting_key(context) is None  # a key adds for its own org
    payload = {"source": source, "shared": shared}
    try:
        added = invoke(context, data_dir, "admin.templates.add", payload).model_dump()
    except DraftroomError as exc:
        for problem in exc.details.get("problems", []):
            typer.echo(f"problem: {problem}", err=True)
        raise fail(exc) from None
    what = "added" if added["created"] else "already held"
    typer.echo(
        f"{what} template {added['name']}@{added['version']} for {added['owner']} "
        f"({added['files']} files)"
    )


@template_app.command("list")
def template_list(context: typer.Context, data_dir: DataDir = None, org: OrgOption = None) -> None:
    """Every template the org can start a project from: name, version, source, files."""
    found = run_tool(context, data_dir, "templates.list", {})
    for t in found["templates"]:
        typer.echo(
            f"{t['name']}\t{t['version']}\t{t['source']}\t{t['files']} files\t{t['description']}"
        )
