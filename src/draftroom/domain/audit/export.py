"""Exporting the audit trail: one record per call, as JSON lines or CSV, streamed page by
page (constant memory however long the trail). The columns are documented in
``docs/audit.md``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from draftroom import store
from draftroom.domain.calls import Services

Format = Literal["jsonl", "csv"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a CSV cell as a formula (OWASP's list)."""
COLUMNS = (
    "id", "at", "org", "user", "key_id", "tool", "repo", "branch", "status", "code",
    "commit_sha", "request_id", "duration_ms", "prev_hash", "hash",
)  # fmt: skip


def export_records(
    services: Services, org_id: int, since: datetime | None, until: datetime | None
) -> Iterator[dict[str, Any]]:
    """The org's audit records between ``since`` (inclusive) and ``until``, oldest first."""
    with services.database.session() as session:
        for page in store.audit_export_pages(session, org_id, since, until):
            for row, org, email in page:
                yield record_of(row, org, email)


def record_of(row: store.AuditEvent, org: str | None, email: str | None) -> dict[str, Any]:
    """One audit row as an export (and sink) record: the columns of ``docs/audit.md``."""
    return {
        "id": row.id,
        "at": row.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "org": org,
        "user": email,
        "key_id": row.api_key_id,
        "tool": row.tool,
        "repo": row.repo,
        "branch": row.branch,
        "status": row.outcome,
        "code": row.error_code,
        "commit_sha": row.commit_sha,
        "request_id": row.request_id,
        "duration_ms": round(row.duration_ms, 3),
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


def encode(records: Iterator[dict[str, Any]], format: Format) -> Iterator[str]:
    """The records as text chunks: a JSON object per line, or CSV with a header row."""
    if format == "jsonl":
        for record in records:
            yield json.dumps(record, separators=(",", ":")) + "\n"
        return
    buffer = io.StringIO()
    # RFC 4180's CRLF: then a cell holding a carriage return is quoted too
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: _cell(value) for key, value in record.items()})
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell: empty for None; text a spreadsheet would run as a formula (a caller's
    branch ``=HYPERLINK(...)`` in a refused call's row) gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
