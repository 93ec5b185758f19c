"""``draftroom plugin``: list the installed plugins, enable or disable one (the operator only).

Each command is one registered tool (``admin.plugins.*``) called through ``cli_calls.run_tool``;
here are only its options and how its answer is printed. ``--org`` names the org the
setting is for (omitted: every org without its own setting), not the org acted in.
"""

from __future__ import annotations

from typing import Annotated

import typer

from draftroom.adapters.cli_calls import DataDir, run_tool

plugin_app = typer.Typer(
    help="List installed plugins; enable or disable one, for every org or one.",
    no_args_is_help=True,
)
TargetOrg = Annotated[
    str | None,
    typer.Option("--org", metavar="SLUG", help="The org the setting is for (default: every org)."),
]
Name = Annotated[str, typer.Argument(metavar="NAME", help="The plugin's name (see plugin list).")]


@plugin_app.command("list")
def plugin_list(context: typer.Context, data_dir: DataDir = None, target: TargetOrg = None) -> None:
    """Each installed plugin: name, package and version, enabled or not, its tools."""
    found = run_tool(context, data_dir, "admin.plugins.list", {"org": target}, mode="json")
    if not found["plugins"]:
        typer.echo("no plugins installed (entry point group: draftroom.plugins)")
    for plugin in found["plugins"]:
        state = "enabled" if plugin["enabled"] else "disabled"
        package = f"{plugin['package'] or '-'} {plugin['version'] or '-'}"
        tools = ", ".join(plugin["tools"]) or "no tools"
        typer.echo(
            f"{plugin['name']}\t{package}\t{state}\trequires_api {plugin['requires_api']}\t{tools}"
        )


def _switch(
    context: typer.Context, data_dir: DataDir, name: str, target: str | None, on: bool
) -> None:
    tool = "admin.plugins.enable" if on else "admin.plugins.disable"
    done = run_tool(context, data_dir, tool, {"name": name, "org": target})
    where = f"org {target}" if target else "every org"
    typer.echo(f"{'enabled' if on else 'disabled'} plugin {done['name']} for {where}")


@plugin_app.command("enable")
def plugin_enable(
    context: typer.Context, name: Name, data_dir: DataDir = None, target: TargetOrg = None
) -> None:
    """Enable the plugin for --org (default: for every org without its own setting)."""
    _switch(context, data_dir, name, target, True)


@plugin_app.command("disable")
def plugin_disable(
    context: typer.Context, name: Name, data_dir: DataDir = None, target: TargetOrg = None
) -> None:
    """Disable the plugin for --org (default: every org without its own setting): its tools
    are not listed and answer 404, its hooks do not run."""
    _switch(context, data_dir, name, target, False)
