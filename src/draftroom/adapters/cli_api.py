"""The CLI's API commands: ``draftroom api check|snapshot|diff``, the compatibility check CI runs.

A released version's GPT schema is committed under ``api/openapi-v<N>.json``; ``check``
fails (exit 1) when today's schema breaks one (``adapters.api_compat``) and passes additive
changes, which ``snapshot`` then records on purpose. Needs no data dir: the schemas come from
the registry alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from draftroom.adapters.api_compat import breaking_changes
from draftroom.adapters.api_schemas import frozen_schema
from draftroom.errors import DraftroomError
from draftroom.tools import build_registry
from draftroom.tools.versions import API_VERSIONS, parse_api

api_app = typer.Typer(
    help="The tool API's released schemas: check compatibility, record snapshots.",
    no_args_is_help=True,
)
SnapshotDir = Annotated[
    Path, typer.Option("--dir", help="Where the released schemas are committed.")
]
SNAPSHOTS = Path("api")


def snapshot_path(directory: Path, version: int) -> Path:
    return directory / f"openapi-v{version}.json"


def snapshot_text(schema: dict[str, Any]) -> str:
    """The committed form: sorted keys, two-space indent, one final newline (stable diffs)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _report(label: str, problems: list[str]) -> None:
    for problem in problems:
        typer.echo(f"{label}: breaking: {problem}", err=True)


@api_app.command("check")
def check(directory: SnapshotDir = SNAPSHOTS) -> None:
    """Exit 1 if a served version breaks its committed snapshot or has none; additive passes."""
    registry, failed = build_registry(), False
    for version in API_VERSIONS:
        path, label = snapshot_path(directory, version), f"v{version}"
        if not path.is_file():
            typer.echo(f"{label}: no snapshot at {path}: draftroom api snapshot {label}", err=True)
            failed = True
            continue
        old, new = json.loads(path.read_text("utf-8")), frozen_schema(registry, version)
        problems = breaking_changes(old, new)
        _report(label, problems)
        failed = failed or bool(problems)
        if not problems:
            grown = "; additive changes: draftroom api snapshot " + label if old != new else ""
            typer.echo(f"{label}: compatible with {path}{grown}")
    if failed:
        raise typer.Exit(1)


@api_app.command("snapshot")
def snapshot(version: str, directory: SnapshotDir = SNAPSHOTS) -> None:
    """Record VERSION's schema (v1, v2, …) as released; refused if it breaks the recorded one."""
    try:
        number = parse_api(version)
    except DraftroomError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    path, new = snapshot_path(directory, number), frozen_schema(build_registry(), number)
    if path.is_file():
        problems = breaking_changes(json.loads(path.read_text("utf-8")), new)
        if problems:
            _report(f"v{number}", problems)
            typer.echo("refused: a released version only grows; add a new version", err=True)
            raise typer.Exit(1)
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(snapshot_text(new), "utf-8")
    typer.echo(f"wrote {path}")


@api_app.command("diff")
def diff(old: Path, new: Path) -> None:
    """Compare two OpenAPI files (e.g. a release's and a candidate's): exit 1 on a breaking change."""
    problems = breaking_changes(
        json.loads(old.read_text("utf-8")), json.loads(new.read_text("utf-8"))
    )
    _report(str(new), problems)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{new}: compatible with {old}")
