"""MCP resources: a sandbox's files, as ``draftroom://REPO/BRANCH/PATH``.

The branch is percent-encoded (``sandbox%2Fab12``: branch names hold slashes); the query
may add ``reuse_token``, ``offset`` and ``length`` (a slice, as ``files.read``). Reads go
through the ``files.read`` tool and listings through ``files.list`` (authenticated, scoped,
audited); ``resources/list`` pages with the listing's cursor. Which sandbox: the one the URI
names, with the token from the URI, the ``X-Draftroom-Reuse-Token`` header (HTTP) or the
server's defaults (local mode); ``resources/list`` lists the defaults' sandbox, or the one
the ``X-Draftroom-Repo`` and ``X-Draftroom-Reuse-Token`` headers name (else nothing).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import mcp_types as types
from mcp.server.context import ServerRequestContext

from draftroom.errors import InvalidInput

Context = ServerRequestContext[Any, Any]
RunTool = Callable[[Context, str, dict[str, Any]], Awaitable[dict[str, Any]]]
SCHEME = "draftroom"
TEMPLATE = types.ResourceTemplate(
    name="sandbox-file",
    title="A file of a sandbox branch",
    uri_template=SCHEME + "://{repo}/{branch}/{+path}",
    description=(
        "A file of your sandbox branch; the branch percent-encoded. Query: reuse_token, and "
        "offset/length to read a slice (as files_read)."
    ),
)
TOKEN_HEADER = "x-draftroom-reuse-token"
REPO_HEADER = "x-draftroom-repo"
MAX_URI = 8_192
PAGE = 200
"""Resources per ``resources/list`` page (``files.list``'s own default)."""


def resource_uri(repo: str, branch: str, path: str) -> str:
    return f"{SCHEME}://{quote(repo, safe='')}/{quote(branch, safe='')}/{quote(path)}"


def parse_uri(uri: str) -> dict[str, Any]:
    """The ``files.read`` input a resource URI names (a 400 for anything else)."""
    if len(uri) > MAX_URI:
        raise InvalidInput(f"resource URI longer than {MAX_URI} characters")
    parts = urlsplit(uri)
    repo = unquote(parts.netloc)
    branch, _, path = parts.path.removeprefix("/").partition("/")
    if parts.scheme != SCHEME or not repo or not branch or not path:
        raise InvalidInput(f"not a {SCHEME}://REPO/BRANCH/PATH resource URI: {uri[:200]!r}")
    payload: dict[str, Any] = {"repo_name": repo, "branch": unquote(branch), "path": unquote(path)}
    for name, values in parse_qs(parts.query).items():
        if name not in {"reuse_token", "offset", "length"}:
            raise InvalidInput(f"resource URI query takes no {name!r}")
        value = values[-1]
        if name == "reuse_token":
            payload[name] = value
        elif value.isdigit():  # offset and length are numbers, as in files.read
            payload[name] = int(value)
        else:
            raise InvalidInput(f"resource URI {name} must be a whole number, got {value[:20]!r}")
    return payload


def _header(ctx: Context, name: str) -> str | None:
    return ctx.request.headers.get(name) if ctx.request is not None else None


def resource_handlers(run_tool: RunTool, defaults: dict[str, Any]) -> tuple[Any, Any, Any]:
    """``(list_resources, list_resource_templates, read_resource)`` handlers."""

    async def list_resources(
        ctx: Context, params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        repo = _header(ctx, REPO_HEADER) or defaults.get("repo_name")
        token = _header(ctx, TOKEN_HEADER) or defaults.get("reuse_token")
        if not repo or not token:
            return types.ListResourcesResult(resources=[])
        payload = {"repo_name": repo, "reuse_token": token, "recursive": True, "limit": PAGE}
        if params is not None and params.cursor:
            payload["cursor"] = params.cursor
        status = await run_tool(ctx, "sandbox.status", {"repo_name": repo, "reuse_token": token})
        page = await run_tool(ctx, "files.list", payload)
        resources = [
            types.Resource(
                uri=resource_uri(repo, status["branch"], entry["path"]),
                name=entry["path"],
                mime_type=mimetypes.guess_type(entry["path"])[0] or "text/plain",
                size=entry["size"],
            )
            for entry in page["entries"]
            if entry["type"] == "file"
        ]
        return types.ListResourcesResult(resources=resources, next_cursor=page["next_cursor"])

    async def list_templates(
        ctx: Context, params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=[TEMPLATE])

    async def read_resource(
        ctx: Context, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        payload = parse_uri(str(params.uri))
        token = _header(ctx, TOKEN_HEADER) or defaults.get("reuse_token")
        if "reuse_token" not in payload and token:
            payload["reuse_token"] = token
        read = await run_tool(ctx, "files.read", payload)
        meta = {k: read[k] for k in ("size", "offset", "next_offset", "truncated")}
        mime = mimetypes.guess_type(read["path"])[0]
        contents: types.TextResourceContents | types.BlobResourceContents
        if read["encoding"] == "base64":
            contents = types.BlobResourceContents(
                uri=str(params.uri), mime_type=mime, blob=read["content"], _meta=meta
            )
        else:
            contents = types.TextResourceContents(
                uri=str(params.uri),
                mime_type=mime or "text/plain",
                text=read["content"],
                _meta=meta,
            )
        return types.ReadResourceResult(contents=[contents])

    return list_resources, list_templates, read_resource
