"""The ``draftroom`` command line: serve, repositories, keys, GPT setup. Thin over the domain."""

from __future__ import annotations

import json
import os
import socket
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from draftroom.adapters.gpt import gpt_setup
from draftroom.config import Settings
from draftroom.domain.access.tokens import issue_api_key, revoke_reuse_token
from draftroom.domain.calls.services import Services
from draftroom.domain.repos.repositories import register_repository
from draftroom.domain.repos.setup import setup_default
from draftroom.domain.upstream import PushOutcome, add_upstream_repository
from draftroom.errors import DraftroomError
from draftroom.store import get_or_create_org

app = typer.Typer(
    help="draftroom: private sandbox branches for AI assistants.", no_args_is_help=True
)
repo_app = typer.Typer(help="Register repositories.", no_args_is_help=True)
key_app = typer.Typer(help="Create API keys.", no_args_is_help=True)
app.add_typer(repo_app, name="repo")
app.add_typer(key_app, name="key")
token_app = typer.Typer(help="Manage reuse tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
merge_app = typer.Typer(help="Review merge requests as the data dir's admin.", no_args_is_help=True)
app.add_typer(merge_app, name="merge")
credential_app = typer.Typer(
    help="Store credentials for upstream repositories (encrypted).", no_args_is_help=True
)
app.add_typer(credential_app, name="credential")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="DRAFTROOM_DATA_DIR", help="Default ./.draftroom"),
]


class Role(StrEnum):
    agent = "agent"
    admin = "admin"


class PublishMode(StrEnum):
    push = "push"
    pull_request = "pull_request"


def _services(data_dir: Path | None) -> Services:
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = Services(settings)
    services.database.migrate()
    return services


def _fail(exc: DraftroomError) -> typer.Exit:
    typer.echo(f"error: {exc.code}: {exc.message}", err=True)
    return typer.Exit(1)


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the API; on an empty data dir, create the embedded default first."""
    import uvicorn

    services = _services(data_dir)
    settings = services.settings
    plaintext = setup_default(services)
    key_file = settings.data_dir / "admin.key"
    if plaintext:
        typer.echo(f"Admin API key (shown once, also saved to {key_file}):\n{plaintext}")
    else:
        typer.echo(f"Admin API key: see {key_file}")
    typer.echo(f"Serving on http://{host}:{port}  (schema: {settings.public_url}/openapi.json)")
    os.environ["DRAFTROOM_DATA_DIR"] = str(settings.data_dir.resolve())
    app_path = "draftroom.adapters.http:app_from_env"
    if workers == 1:
        uvicorn.run(app_path, factory=True, host=host, port=port, log_level="info")
        return
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        app_path, factory=True, host=host, port=port, workers=workers, log_level="info"
    )
    sock = config.bind_socket()
    # uvicorn opens this socket with proto 0, so asyncio leaves Nagle on for the connections
    # it accepts and every response body waits ~40 ms for a delayed ACK. Accepted sockets
    # inherit TCP_NODELAY from the listening one.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()


@repo_app.command("add")
def repo_add(
    name: str,
    data_dir: DataDir = None,
    init: Annotated[bool, typer.Option("--init", help="Create a new bare repository.")] = False,
    path: Annotated[Path | None, typer.Option("--path", help="An existing git repository.")] = None,
    upstream: Annotated[
        str | None,
        typer.Option("--upstream", help="Clone this git URL (https, ssh, file) and mirror it."),
    ] = None,
    credential: Annotated[
        str | None, typer.Option("--credential", help="With --upstream: a stored credential.")
    ] = None,
    publish: Annotated[
        PublishMode, typer.Option(help="With --upstream: what an approved merge does upstream.")
    ] = PublishMode.push,
    github_api_url: Annotated[
        str | None, typer.Option(help="With --upstream: GitHub Enterprise API root.")
    ] = None,
) -> None:
    """Register a repository: a new one (--init), an existing one (--path), or a clone (--upstream)."""
    if sum([init, path is not None, upstream is not None]) != 1:
        typer.echo("error: give exactly one of --init, --path or --upstream", err=True)
        raise typer.Exit(2)
    services = _services(data_dir)
    try:
        with services.database.session() as session:
            org = get_or_create_org(session, services.settings.org)
            if upstream is not None:
                mirror = add_upstream_repository(
                    services,
                    session,
                    org.id,
                    name,
                    upstream,
                    credential=credential,
                    publish=publish.value,
                    github_api_url=github_api_url,
                )
                record = mirror.repository
                typer.echo(f"cloned {upstream} (default branch {mirror.main_branch})")
            else:
                record = register_repository(services, session, org.id, name, path=path)
            typer.echo(f"registered {record.name}: {record.path}")
    except DraftroomError as exc:
        raise _fail(exc) from None


@repo_app.command("sync")
def repo_sync(name: str, data_dir: DataDir = None) -> None:
    """Fetch the upstream's main and push every queued sandbox branch now."""
    from draftroom.domain.upstream import sync_repository

    services = _services(data_dir)
    failed = False

    def line(outcome: PushOutcome) -> None:
        nonlocal failed
        failed = failed or outcome.state != "synced"
        detail = f"  {outcome.error}" if outcome.error else ""
        typer.echo(f"  {outcome.branch:<40} {outcome.state:<9} {(outcome.sha or '')[:12]}{detail}")

    try:
        with services.database.session() as session:
            org = get_or_create_org(session, services.settings.org)
        typer.echo(f"fetching {name} main ...")
        report = sync_repository(services, org.id, name, progress=line)
    except DraftroomError as exc:
        raise _fail(exc) from None
    fetch = report.fetch
    if fetch.error:
        typer.echo(f"main: fetch failed: {fetch.error}", err=True)
    else:
        typer.echo(f"main: {fetch.main_state} at {(fetch.main or '')[:12]}")
    typer.echo(
        f"pushed {sum(p.state == 'synced' for p in report.pushes)} of {len(report.pushes)} branches"
    )
    if failed or fetch.error:
        raise typer.Exit(1)


@repo_app.command("resolve")
def repo_resolve(
    name: str,
    branch: str,
    data_dir: DataDir = None,
    adopt_theirs: Annotated[
        bool, typer.Option("--adopt-theirs", help="Take the upstream branch; keep ours aside.")
    ] = False,
    force_ours: Annotated[
        bool, typer.Option("--force-ours", help="Force-push ours; keep theirs aside.")
    ] = False,
) -> None:
    """Settle a diverged branch or main (audited); the side given up stays under refs/draftroom/replaced/.

    On main, --force-ours overwrites the upstream's default branch.
    """
    from draftroom.domain.upstream import resolve_divergence

    if adopt_theirs == force_ours:
        typer.echo("error: give exactly one of --adopt-theirs or --force-ours", err=True)
        raise typer.Exit(2)
    services = _services(data_dir)
    try:
        with services.database.session() as session:
            org = get_or_create_org(session, services.settings.org)
        done = resolve_divergence(
            services,
            org.id,
            name,
            branch,
            "adopt_theirs" if adopt_theirs else "force_ours",
            actor="cli",
        )
    except DraftroomError as exc:
        raise _fail(exc) from None
    typer.echo(
        f"{branch} is at {done.head[:12]} on both sides; the other side is kept at "
        f"{done.replaced_ref} ({done.replaced[:12]})"
    )


@credential_app.command("add")
def credential_add(
    name: str,
    data_dir: DataDir = None,
    token: Annotated[
        str | None,
        typer.Option("--token", help="A personal access token; '-' reads it from stdin."),
    ] = None,
    username: Annotated[
        str | None,
        typer.Option(help="https username sent with the token (default x-access-token)."),
    ] = None,
    github_app_id: Annotated[str | None, typer.Option("--github-app-id")] = None,
    private_key_file: Annotated[
        Path | None, typer.Option("--private-key-file", help="The GitHub App's .pem key.")
    ] = None,
    installation_id: Annotated[
        str | None, typer.Option(help="GitHub App installation (default: looked up per repo).")
    ] = None,
) -> None:
    """Store a credential for upstreams, encrypted with DRAFTROOM_SECRET_KEY; never printed."""
    from draftroom.domain.upstream import add_github_app_credential, add_token_credential

    if (token is None) == (github_app_id is None) or (github_app_id is None) != (
        private_key_file is None
    ):
        typer.echo("error: give --token, or --github-app-id with --private-key-file", err=True)
        raise typer.Exit(2)
    services = _services(data_dir)
    try:
        with services.database.session() as session:
            org = get_or_create_org(session, services.settings.org)
            if token is not None:
                secret = typer.get_text_stream("stdin").read().strip() if token == "-" else token
                add_token_credential(services.settings, session, org.id, name, secret, username)
                kind = "token"
            else:
                assert github_app_id is not None and private_key_file is not None
                key = private_key_file.read_text()
                add_github_app_credential(
                    services.settings, session, org.id, name, github_app_id, key, installation_id
                )
                kind = "GitHub App"
    except OSError as exc:
        typer.echo(f"error: cannot read the private key file: {exc.strerror}", err=True)
        raise typer.Exit(1) from None
    except DraftroomError as exc:
        raise _fail(exc) from None
    typer.echo(f"stored credential {name} ({kind}, encrypted)")


@credential_app.command("list")
def credential_list(data_dir: DataDir = None) -> None:
    """List stored credentials: name, kind, when added, used by; never a secret."""
    from draftroom.domain.upstream import list_credentials

    services = _services(data_dir)
    with services.database.session() as session:
        org = get_or_create_org(session, services.settings.org)
        found = list_credentials(session, org.id)
    if not found:
        typer.echo("no credentials; add one with 'draftroom credential add'")
    for item in found:
        used = ", ".join(item.used_by) or "-"
        typer.echo(f"{item.name:<24} {item.kind:<11} {item.created_at.isoformat()}  used by {used}")


@credential_app.command("remove")
def credential_remove(name: str, data_dir: DataDir = None) -> None:
    """Delete a stored credential; refused while a repository uses it."""
    from draftroom.domain.upstream import remove_credential

    services = _services(data_dir)
    try:
        with services.database.session() as session:
            org = get_or_create_org(session, services.settings.org)
            remove_credential(session, org.id, name)
    except DraftroomError as exc:
        raise _fail(exc) from None
    typer.echo(f"removed credential {name}")


@key_app.command("create")
def key_create(
    data_dir: DataDir = None,
    role: Annotated[
        Role, typer.Option(help="agent: sandbox tools; admin: everything.")
    ] = Role.agent,
    label: Annotated[str | None, typer.Option(help="A note on who holds it.")] = None,
) -> None:
    """Create an API key; it is printed once, as the last line."""
    services = _services(data_dir)
    with services.database.session() as session:
        org = get_or_create_org(session, services.settings.org)
        key, plaintext = issue_api_key(session, org.id, role.value, label=label)
    typer.echo(f"created {role.value} key {key.id} (shown once):")
    typer.echo(plaintext)


@token_app.command("revoke")
def token_revoke(token_id: str, data_dir: DataDir = None) -> None:
    """Revoke a reuse token by its id (the part after 'drt_'); it stops working at once."""
    services = _services(data_dir)
    try:
        with services.database.session() as session:
            token = revoke_reuse_token(session, token_id)
            assert token.revoked_at is not None
            typer.echo(f"revoked reuse token {token.id} at {token.revoked_at.isoformat()}")
    except DraftroomError as exc:
        raise _fail(exc) from None


@app.command()
def gpt(data_dir: DataDir = None) -> None:
    """Print what to paste into the Custom GPT editor."""
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    typer.echo(gpt_setup(settings.public_url))


@app.command()
def mcp(
    data_dir: DataDir = None,
    repo: Annotated[
        Path | None,
        typer.Option(
            "--repo",
            help="Local mode: your own repository; default data dir <repo>/.git/draftroom.",
        ),
    ] = None,
) -> None:
    """Serve MCP over stdio as the data dir's owner (admin); --repo: one sandbox of your repo."""
    from draftroom.adapters.mcp_local import serve_data_dir, serve_repository
    from draftroom.domain.access.local import local_data_dir

    try:
        if repo is None:
            serve_data_dir(_services(data_dir))
        else:
            serve_repository(_services(data_dir or local_data_dir(repo)), repo)
    except DraftroomError as exc:
        raise _fail(exc) from None


class MergeStatus(StrEnum):
    pending = "pending"
    merged = "merged"
    rejected = "rejected"
    superseded = "superseded"


def _as_owner(data_dir: Path | None, tool_name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Run an admin tool as the data dir's owner (see ``domain.local.owner_principal``)."""
    from draftroom.domain.access.local import owner_principal
    from draftroom.tools import registry

    services = _services(data_dir)
    try:
        principal = owner_principal(services)
        output = registry.invoke(
            registry.get(tool_name), services, principal, payload, transport="cli"
        )
    except DraftroomError as exc:
        for path in exc.details.get("paths", []):
            typer.echo(f"conflict: {path}", err=True)
        raise _fail(exc) from None
    data: dict[str, Any] = output.model_dump(mode="json")
    return data


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
    data_dir: DataDir = None,
    status: Annotated[MergeStatus | None, typer.Option(help="Only this status.")] = None,
    repo: Annotated[str | None, typer.Option("--repo", help="Only this repository.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
) -> None:
    """List merge requests, newest first."""
    payload: dict[str, Any] = {"limit": limit, "repo_name": repo}
    payload["status"] = status.value if status else None
    for request in _as_owner(data_dir, "merge.list", payload)["merge_requests"]:
        typer.echo(_merge_line(request))


def _stat_lines(files: list[dict[str, Any]]) -> list[str]:
    lines = [f" {f['path']} | +{f['additions']} -{f['deletions']}" for f in files]
    added = sum(f["additions"] for f in files)
    removed = sum(f["deletions"] for f in files)
    return [*lines, f" {len(files)} files changed, +{added} -{removed}"]


@merge_app.command("show")
def merge_show(
    merge_request_id: Annotated[int, typer.Argument(metavar="ID")],
    data_dir: DataDir = None,
    stat: Annotated[bool, typer.Option("--stat", help="Files and line counts only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The whole request as JSON.")] = False,
) -> None:
    """Show what a merge request brings to main, as a patch (a pending one against main now)."""
    payload = {"id": merge_request_id, "patch": not as_json}
    request = _as_owner(data_dir, "merge.show", payload)
    if as_json:
        typer.echo(json.dumps(request, indent=2))
        return
    typer.echo(_merge_line(request))
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
    merge_request_id: Annotated[int, typer.Argument(metavar="ID")],
    data_dir: DataDir = None,
    strategy: Annotated[
        Strategy, typer.Option(help="squash: one commit on main; merge: keep its commits.")
    ] = Strategy.squash,
) -> None:
    """Merge it into main (one commit by default, naming you); conflicts write nothing."""
    payload = {"id": merge_request_id, "strategy": strategy.value}
    request = _as_owner(data_dir, "merge.approve", payload)
    how = request["preview"].get("strategy") or "merge"
    if how == "merge":
        how = "fast-forward" if request["preview"]["fast_forward"] else "merge commit"
    typer.echo(f"merged #{request['id']} into main at {request['merge_sha']} ({how})")


@merge_app.command("reject")
def merge_reject(
    merge_request_id: Annotated[int, typer.Argument(metavar="ID")],
    data_dir: DataDir = None,
    reason: Annotated[str | None, typer.Option(help="Kept with the request.")] = None,
) -> None:
    """Close it without touching main."""
    payload = {"id": merge_request_id, "reason": reason}
    request = _as_owner(data_dir, "merge.reject", payload)
    typer.echo(f"rejected #{request['id']}")


def main() -> None:
    app()
