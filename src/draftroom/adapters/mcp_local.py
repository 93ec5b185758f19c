"""``draftroom mcp``: the MCP server over stdio, for a data dir or for one's own repository.

The client is an agent, so the server acts as the data dir's local agent principal
(``domain.repos.agent_principal``): sandbox tools only. Approving a merge, keys, credentials
and repository administration stay with the person, who uses the CLI (the owner, an admin).
With ``--repo`` (local mode) every call's ``repo_name`` and ``reuse_token`` default to the
repository's one saved sandbox. Nothing may be written to stdout here but the protocol:
notes for the person go to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

from draftroom.adapters.mcp import INSTRUCTIONS, TRANSPORT, serve_stdio
from draftroom.domain.calls import Principal, Services
from draftroom.domain.repos import LocalSandbox, agent_principal, open_local_sandbox, setup_default
from draftroom.tools import Registry, build_registry
from draftroom.tools.toolsets import ALL, Selection
from draftroom.tools.versions import LATEST

STDIO_INSTRUCTIONS = (
    f"{INSTRUCTIONS} You act as an agent: ask for a merge with merge_request and tell the "
    "person its id; they approve it themselves with 'draftroom merge approve ID'."
)


def local_instructions(repo_name: str, branch: str, repo_path: Path) -> str:
    return (
        f"You work in the sandbox branch {branch!r} of the repository {repo_name!r}. "
        "repo_name and reuse_token are filled in for you: omit them. Every write is an audited "
        "commit on that branch that git_rollback_commit can undo; the person's checked-out "
        "branch, working tree and index are never touched. You act as an agent: you cannot "
        "approve a merge. When the work is ready, call merge_request and tell the person its "
        f"id; they review it with 'git log {branch}' or 'draftroom merge show ID --repo "
        f"{repo_path}' and approve it with 'draftroom merge approve ID --repo {repo_path}' "
        f"(or 'git merge {branch}')."
    )


def serve_data_dir(
    services: Services, selection: Selection = ALL, api_version: int = LATEST
) -> None:
    """Serve every repository of the data dir (creating the embedded default when empty)."""
    setup_default(services)
    serve_stdio(
        services,
        build_registry(),
        agent_principal(services),
        instructions=STDIO_INSTRUCTIONS,
        selection=selection,
        api_version=api_version,
    )


def local_sandbox(
    services: Services, registry: Registry, principal: Principal, repo_path: Path
) -> LocalSandbox:
    """The repository's one sandbox; a new one is started by a ``sandbox.init`` tool call."""

    def start(repo_name: str) -> tuple[str, str]:
        tool, payload = registry.get("sandbox.init"), {"repo_name": repo_name}
        output = registry.invoke(
            tool, services, principal, payload, transport=TRANSPORT, detail={"local": True}
        ).model_dump()
        return output["branch"], output["reuse_token"]

    return open_local_sandbox(services, principal, repo_path, start)


def serve_repository(
    services: Services, repo_path: Path, selection: Selection = ALL, api_version: int = LATEST
) -> None:
    """Serve the repository at ``repo_path`` with its one sandbox, created or resumed."""
    principal = agent_principal(services)
    registry = build_registry()
    local = local_sandbox(services, registry, principal, repo_path)
    print(
        f"draftroom: sandbox {local.branch} of {repo_path} "
        f"(review: git log {local.branch}; approve a merge request: "
        f"draftroom merge approve ID --repo {repo_path})",
        file=sys.stderr,
    )
    serve_stdio(
        services,
        registry,
        principal,
        selection=selection,
        defaults={"repo_name": local.repo_name, "reuse_token": local.reuse_token},
        instructions=local_instructions(local.repo_name, local.branch, repo_path),
        api_version=api_version,
    )
