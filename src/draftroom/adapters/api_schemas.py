"""The GPT schema of each API version: ``/v<N>/openapi.json``, and ``/openapi.json`` (the newest).

A version's schema lists its tools at their plain paths (``/git/commit``) under ``servers:
[{url: PUBLIC_URL/v<N>}]``, so a GPT's instructions name the same paths in every version and
its calls land on ``/v<N>/git/commit``. Built from schema-only apps that serve nothing; the
snapshot form (``frozen_schema``) has no ``servers``, so it is the same for every deployment.
No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from draftroom.adapters.openapi import gpt_schema
from draftroom.adapters.routes import add_tool_route
from draftroom.tools import Registry
from draftroom.tools.toolsets import ALL, Selection, parse_flag
from draftroom.tools.versions import API_VERSIONS, LATEST


def version_app(registry: Registry, version: int, *, plugins: bool = True) -> FastAPI:
    """A schema-only app with ``version``'s tools (the GPT schema keeps the sandbox ones),
    the installed plugins' included unless ``plugins`` is false."""
    app = FastAPI(
        title="draftroom", version=f"v{version}", docs_url=None, redoc_url=None, openapi_url=None
    )
    for tool in registry.tools(version):
        if not tool.local_only and (plugins or tool.plugin is None):
            add_tool_route(app, tool, registry)
    return app


def frozen_schema(registry: Registry, version: int) -> dict[str, Any]:
    """``version``'s whole GPT schema without ``servers`` or plugins' tools: what ``api/``
    snapshots hold, the same for every deployment."""
    return gpt_schema(version_app(registry, version, plugins=False), None)


def add_gpt_schemas(
    app: FastAPI, public_url: str, registry: Registry, hidden: Callable[[], frozenset[str]]
) -> None:
    """``GET /openapi.json`` (the newest version) and ``GET /v<N>/openapi.json``, each taking
    ``?toolsets=core,workspace&read_only=1`` (unknown names: a 400 naming the valid ones),
    without the tools ``hidden()`` names (those of plugins disabled server-wide)."""
    apps = {version: version_app(registry, version) for version in API_VERSIONS}

    def schema(version: int, toolsets: str | None, read_only: str | None) -> dict[str, Any]:
        selection = Selection.parse(toolsets, parse_flag(read_only))
        ids, off = None, hidden()
        if selection != ALL or off:
            offered = registry.tools(version)
            ids = {
                t.operation_id
                for t in offered
                if selection.offers(t.name, t.writes) and t.name not in off
            }
        server = f"{public_url.rstrip('/')}/v{version}"
        return gpt_schema(apps[version], server, ids)

    def route(version: int) -> None:
        def openapi(toolsets: str | None = None, read_only: str | None = None) -> dict[str, Any]:
            return schema(version, toolsets, read_only)

        app.add_api_route(f"/v{version}/openapi.json", openapi, include_in_schema=False)

    @app.get("/openapi.json", include_in_schema=False)
    def newest(toolsets: str | None = None, read_only: str | None = None) -> dict[str, Any]:
        return schema(LATEST, toolsets, read_only)

    for version in API_VERSIONS:
        route(version)
    app.openapi = lambda: schema(LATEST, None, None)  # type: ignore[method-assign]
