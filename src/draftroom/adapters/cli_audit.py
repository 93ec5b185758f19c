"""The CLI's audit commands: ``draftroom audit verify|checkpoint|export``.

Each runs one registered tool (``admin.audit.*``); ``export`` then streams the records the
tool admitted into ``-o FILE`` (or stdout).
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from draftroom.adapters.cli_calls import DataDir, OrgOption, open_services, run_tool
from draftroom.domain.audit import encode, export_records

audit_app = typer.Typer(help="Verify, checkpoint and export the audit trail.", no_args_is_help=True)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@audit_app.command("verify")
def audit_verify(context: typer.Context, data_dir: DataDir = None, org: OrgOption = None) -> None:
    """Check every audit row, link and git checkpoint: 'ok N rows', or the first bad row (exit 1)."""
    found = run_tool(context, data_dir, "admin.audit.verify", {})
    if found["ok"]:
        typer.echo(f"ok {found['rows']} rows ({found['checkpoints']} checkpoints in git)")
        return
    typer.echo(f"row {found['broken_row_id']} does not verify: {found['reason']}", err=True)
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    context: typer.Context, data_dir: DataDir = None, org: OrgOption = None
) -> None:
    """Write each org's chain head into refs/draftroom/audit of its repositories now."""
    found = run_tool(context, data_dir, "admin.audit.checkpoint", {})
    typer.echo(f"wrote {found['written']} checkpoints")


@audit_app.command("retain")
def audit_retain(context: typer.Context, data_dir: DataDir = None, org: OrgOption = None) -> None:
    """Archive and remove rows older than DRAFTROOM_AUDIT_RETENTION_DAYS (sealed files)."""
    found = run_tool(context, data_dir, "admin.audit.retain", {})
    typer.echo(f"archived {found['archived']} rows into {found['files']} sealed files")


@audit_app.command("export")
def audit_export(
    context: typer.Context,
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.jsonl,
    since: Annotated[datetime | None, typer.Option(help="From (ISO 8601; UTC if no zone).")] = None,
    until: Annotated[datetime | None, typer.Option(help="Before (ISO 8601).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
    data_dir: DataDir = None,
    org: OrgOption = None,
) -> None:
    """Write the org's audit records, one per call, as JSON lines or CSV (docs/audit.md)."""
    payload: dict[str, Any] = {"format": format.value, "since": _iso(since), "until": _iso(until)}
    admitted = run_tool(context, data_dir, "admin.audit.export", payload)
    services = open_services(data_dir, must_exist=True)
    try:
        records = export_records(services, admitted["org_id"], admitted["since"], admitted["until"])
        chunks = encode(records, admitted["format"])
        target_file = output.open("w", encoding="utf-8", newline="") if output else None
        with target_file or nullcontext(sys.stdout) as target:
            for chunk in chunks:
                target.write(chunk)
    finally:
        services.database.dispose()


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
