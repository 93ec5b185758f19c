"""``/console/audit``: the org's audit trail filtered by person, tool, sandbox and time, 50 rows
a page (keyset on id, newest first), and ``/console/audit/export`` streaming every matching
row as CSV or JSON lines.

The export reads the trail in chunks, each in its own short transaction, and writes each row
as it goes: its memory does not grow with the trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from draftroom import store
from draftroom.adapters.console.web import HEADERS, PREFIX, Console, SignInRequired
from draftroom.domain.audit import Format, encode
from draftroom.domain.calls import Principal
from draftroom.domain.console import (
    AUDIT_PARAMETERS,
    AuditQuery,
    audit_page,
    export_records,
    parse_query,
)
from draftroom.errors import DraftroomError, InvalidInput

PATH = PREFIX + "/audit"
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def query_string(values: Mapping[str, str], **changes: Any) -> str:
    """``values`` with ``changes`` as a query string (for pagination and export links)."""
    merged = {k: v for k, v in values.items() if k != "before"}
    merged.update({k: str(v) for k, v in changes.items()})
    return urlencode(merged)


def add_routes(router: APIRouter, console: Console) -> None:
    console.env.globals["query_string"] = query_string

    @router.get(PATH)
    async def audit(request: Request) -> Response:
        params = request.query_params.multi_items()

        def build(session: Session, principal: Principal) -> tuple[str, dict[str, Any]]:
            query = parse_query(session, principal, params)
            return "audit.html", {"query": query, "page": audit_page(session, query)}

        return await console.page(request, "audit", "admin", build)

    @router.get(PATH + "/export")
    async def export(request: Request) -> Response:
        params = request.query_params.multi_items()
        try:
            principal = await console.admit(request, "audit_export", "admin")
            formats = [value for name, value in params if name == "format"]
            if len(formats) != 1 or formats[0] not in FORMATS:
                raise InvalidInput(
                    "query parameter 'format' must be given once: csv or jsonl", parameter="format"
                )
            filters = [(name, value) for name, value in params if name != "format"]
            query, org = await run_in_threadpool(_prepare, console, principal, filters)
        except SignInRequired:
            return console.to_sign_in(request)
        except DraftroomError as exc:
            return console.error(request, exc)
        kind: Format = "csv" if formats[0] == "csv" else "jsonl"
        try:  # an export of the trail is in the trail: audited as admin.audit.export
            await console.invoke(request, "admin.audit.export", {"format": kind})
        except DraftroomError as exc:
            return console.error(request, exc)
        records = export_records(console.services.database, query, org)
        lines = encode(records, kind)
        headers = {
            **HEADERS,
            "Content-Disposition": f'attachment; filename="audit-{org}.{kind}"',
        }
        return StreamingResponse(lines, media_type=FORMATS[kind], headers=headers)


def _prepare(
    console: Console, principal: Principal, params: list[tuple[str, str]]
) -> tuple[AuditQuery, str]:
    with console.services.database.session() as session:
        query = parse_query(session, principal, params, AUDIT_PARAMETERS)
        org = store.get_org_by_id(session, principal.org_id)
        return query, org.name if org is not None else str(principal.org_id)
