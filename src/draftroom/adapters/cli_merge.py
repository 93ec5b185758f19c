"""The CLI's ``merge`` commands: review merge requests as the data dir's admin.

Each command is one registered tool called through ``cli_calls.run_tool`` (scope-checked and
audited); ``--repo PATH`` acts on local mode's data dir, as ``draftroom mcp --repo`` does.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from draftroom.adapters.cli_admin import usage
from draftroom.adapters.cli_calls import DataDir, OrgOption, fail, run_tool
from draftroom.domain.repos import local_data_dir
from draftroom.errors import DraftroomError

merge_app = typer.Typer(help="Review merge requests as the data dir's admin.", no_args_is_help=True)


class MergeStatus(StrEnum):
    pending = "pending"
    merged = "merged"
    rejected = "rejected"
    superseded = "superseded"


LocalRepo = Annotated[
    Path | None,
    typer.Option(
        "--repo",
        help="Local mode: your repository (as in 'draftroom mcp --repo'); data dir <gitdir>/draftroom.",
    ),
]


def _data_dir_of(data_dir: Path | None, repo: Path | None) -> Path | None:
    """The data dir a ``merge`` command acts on: ``--data-dir``, or local mode's for ``--repo``."""
    if repo is None:
        return data_dir
    if data_dir is not None:
        raise usage("give --repo PATH or --data-dir (DRAFTROOM_DATA_DIR), not both")
    try:
        return local_data_dir(repo)
    except DraftroomError as exc:
        raise fail(exc) from None


def _merge_line(request: dict[str, Any]) -> str:
    preview = request["preview"]
    conflicts = preview["conflicts"]
    line = (
        f"#{request['id']}  {request['status']}  {request['repo_name']}  {request['branch']}  "
        f"{request['title']}  ({preview['files_total']} files, +{preview['additions']} "
        f"-{preview['deletions']})"
    )
    return line + (f"  conflicts: {', '.join(conflicts)}" if conflicts else "")


@merge_app.command("list")
def merge_list(
    context: typer.Context,
    data_dir: DataDir = None,
    org: OrgOption = None,
    status: Annotated[MergeStatus | None, typer.Option(help="Only this status.")] = None,
    repo: Annotated[
        str | None,
        typer.Option(
            "--repo",
            help="Only this repository (NAME or SLUG/NAME); or, given as the path of a "
            "directory, local mode: your repository's data dir <gitdir>/draftroom.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """List merge requests, newest first."""
    local = repo is not None and Path(repo).is_dir()  # else NAME or SLUG/NAME
    if local:
        data_dir = _data_dir_of(data_dir, Path(str(repo)))
    payload: dict[str, Any] = {"limit": limit, "repo_name": None if local else repo}
    payload["status"] = status.value if status else None
    for request in run_tool(context, data_dir, "merge.list", payload, mode="json")[
        "merge_requests"
    ]:
        typer.echo(_merge_line(request))


def _actor(key_id: str | None, person: str | None) -> str:
    if key_id is None:
        return "unknown"
    return f"key {key_id}" if person is None else f"{person} (key {key_id})"


def _people_line(request: dict[str, Any]) -> str:
    """Who asked, and who decided (once someone has)."""
    line = f"asked by {_actor(request['requested_by'], request['requested_by_person'])}"
    if request["decided_by"] is not None:
        decider = _actor(request["decided_by"], request["decided_by_person"])
        line += f"; {request['status']} by {decider}"
    return line


def _overlap_lines(preview: dict[str, Any]) -> list[str]:
    """Other open work changing the same files, and a warning about main, when there are."""
    lines = []
    for other in preview.get("overlapping", []):
        asked = other["merge_request_id"]
        which = f"{other['branch']} (merge request #{asked})" if asked else other["branch"]
        lines.append(f"overlaps {which}: {', '.join(other['paths'])}")
    if preview.get("warning"):
        lines.append(f"warning: {preview['warning']}")
    return lines


def _stat_lines(files: list[dict[str, Any]]) -> list[str]:
    lines = [f" {f['path']} | +{f['additions']} -{f['deletions']}" for f in files]
    added = sum(f["additions"] for f in files)
    removed = sum(f["deletions"] for f in files)
    return [*lines, f" {len(files)} files changed, +{added} -{removed}"]


@merge_app.command("show")
def merge_show(
    context: typer.Context,
    merge_request_id: Annotated[int, typer.Argument(metavar="ID")],
    data_dir: DataDir = None,
    org: OrgOption = None,
    repo: LocalRepo = None,
    stat: Annotated[bool, typer.Option("--stat", help="Files and line counts only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The whole request as JSON.")] = False,
) -> None:
    """Show what a merge request brings to main, as a patch (a pending one against main now)."""
    payload = {"id": merge_request_id, "patch": not as_json}
    request = run_tool(context, _data_dir_of(data_dir, repo), "merge.show", payload, mode="json")
    if as_json:
        typer.echo(json.dumps(request, indent=2))
        return
    typer.echo(_merge_line(request))
    typer.echo(_people_line(request))
    for line in _overlap_lines(request["preview"]):
        typer.echo(line)
    patch = request["patch"]
    if stat:
        typer.echo("\n".join(_stat_lines(patch["files"])))
        return
    for f in patch["files"]:
        typer.echo(f["patch"] or f"Binary or large file {f['path']} ({f['status']})", nl=False)
        if f["patch"] and not f["patch"].endswith("\n"):
            typer.echo("")
    if patch["truncated"]:
        typer.echo("(patch cut to fit; see --stat for every file)")


class Strategy(StrEnum):
    squash = "squash"
    merge = "merge"


@merge_app.command("approve")
def merge_approve(
    context: typer.Context,
    merge_request_id: Annotated[int, typer.Argument(metavar="ID")],
    data_dir: DataDir = None,
    org: OrgOption = None,
    repo: LocalRepo = None,
    strategy: Annotated[
        Strategy, typer.Option(help="squash: one commit on main; merge: keep its commits.")
    ] = Strategy.squash,
) -> None:
    """Merge it into main (one commit by default, naming you); conflicts write nothing."""
    payload = {"id": merge_request_id, "strategy": strategy.value}
    request = run_tool(context, _data_dir_of(data_dir, repo), "merge.approve", payload, mode="json")
    how = request["preview"].get("strategy") or "merge"
    if how == "merge":
        how = "fast-forward" if request["preview"]["fast_forward"] else "merge commit"
    typer.echo(f"merged #{request['id']} into main at {request['merge_sha']} ({how})")


@merge_app.command("reject")
def merge_reject(
    context: typer.Context,
    merge_request_id: Annotated[int, typer.Argument(metavar="ID")],
    data_dir: DataDir = None,
    org: OrgOption = None,
    repo: LocalRepo = None,
    reason: Annotated[str | None, typer.Option(help="Kept with the request.")] = None,
) -> None:
    """Close it without touching main."""
    payload = {"id": merge_request_id, "reason": reason}
    request = run_tool(context, _data_dir_of(data_dir, repo), "merge.reject", payload, mode="json")
    typer.echo(f"rejected #{request['id']}")
