"""The CLI's admin commands: repositories, credentials, keys, sandboxes, reuse tokens.

Each command is one registered tool called through ``cli_calls.run_tool`` (scope-checked and
audited); here are only the command's options and how its answer is printed.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from draftroom.adapters.cli_calls import DataDir, OrgOption, run_tool

repo_app = typer.Typer(help="Register repositories.", no_args_is_help=True)
key_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
token_app = typer.Typer(help="Manage reuse tokens.", no_args_is_help=True)
sandbox_app = typer.Typer(help="See the sandboxes agents work in.", no_args_is_help=True)
credential_app = typer.Typer(
    help="Store credentials for upstream repositories (encrypted).", no_args_is_help=True
)


class Role(StrEnum):
    agent = "agent"
    admin = "admin"


class PublishMode(StrEnum):
    push = "push"
    pull_request = "pull_request"


def usage(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@repo_app.command("add")
def repo_add(
    context: typer.Context,
    name: str,
    data_dir: DataDir = None,
    org: OrgOption = None,
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
        raise usage("give exactly one of --init, --path or --upstream")
    if upstream is not None:
        payload = {"name": name, "upstream_url": upstream, "credential": credential}
        payload |= {"publish": publish.value, "github_api_url": github_api_url}
        mirror = run_tool(context, data_dir, "admin.repos.add", payload)
        typer.echo(f"cloned {upstream} (default branch {mirror['main_branch']})")
        typer.echo(f"registered {mirror['name']}")  # the HTTP answer names no server path
        return
    where = None if path is None else str(path.resolve())
    record = run_tool(context, data_dir, "admin.repos.register", {"name": name, "path": where})
    typer.echo(f"registered {record['name']}: {record['path']}")


@repo_app.command("sync")
def repo_sync(
    context: typer.Context, name: str, data_dir: DataDir = None, org: OrgOption = None
) -> None:
    """Fetch the upstream's main and push every queued sandbox branch now."""
    typer.echo(f"fetching {name} main ...")
    report = run_tool(context, data_dir, "admin.repos.sync", {"name": name})
    for pushed in report["branches"]:
        detail = f"  {pushed['error']}" if pushed["error"] else ""
        sha = (pushed["sha"] or "")[:12]
        typer.echo(f"  {pushed['branch']:<40} {pushed['state']:<9} {sha}{detail}")
    main = report["main"]
    if main["error"]:
        typer.echo(f"main: fetch failed: {main['error']}", err=True)
    else:
        typer.echo(f"main: {main['state']} at {(main['sha'] or '')[:12]}")
    typer.echo(f"pushed {report['pushed']} of {len(report['branches'])} branches")
    if report["failed"] or main["error"]:
        raise typer.Exit(1)


@repo_app.command("resolve")
def repo_resolve(
    context: typer.Context,
    name: str,
    branch: str,
    data_dir: DataDir = None,
    org: OrgOption = None,
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
    if adopt_theirs == force_ours:
        raise usage("give exactly one of --adopt-theirs or --force-ours")
    payload = {"name": name, "branch": branch, "keep": "theirs" if adopt_theirs else "ours"}
    done = run_tool(context, data_dir, "admin.repos.resolve", payload)
    typer.echo(
        f"{branch} is at {done['head'][:12]} on both sides; the other side is kept at "
        f"{done['replaced_ref']} ({done['replaced'][:12]})"
    )


@repo_app.command("webhook")
def repo_webhook(
    context: typer.Context, name: str, data_dir: DataDir = None, org: OrgOption = None
) -> None:
    """Print the webhook URL to paste into the upstream's forge and, last, its secret."""
    found = run_tool(context, data_dir, "admin.repos.webhook", {"name": name})
    others = ", ".join(f"{forge}: {url}" for forge, url in found["urls"].items())
    typer.echo(f"Payload URL ({found['forge']}): {found['url']}")
    typer.echo("Content type: application/json; events: pushes and pull (merge) requests")
    typer.echo(f"Other forges: {others}")
    made = "created now" if found["created"] else "as stored"
    typer.echo(f"Secret ({made}; paste it as the webhook's secret):")
    typer.echo(found["secret"])


@repo_app.command("set")
def repo_set(
    context: typer.Context,
    name: str,
    data_dir: DataDir = None,
    org: OrgOption = None,
    require_other_reviewer: Annotated[
        bool | None,
        typer.Option(
            "--require-other-reviewer/--no-require-other-reviewer",
            help="Refuse an approval by the person who asked for the merge.",
        ),
    ] = None,
) -> None:
    """Change a repository's settings (NAME or SLUG/NAME)."""
    if require_other_reviewer is None:
        raise usage("give --require-other-reviewer or --no-require-other-reviewer")
    payload = {"name": name, "require_other_reviewer": require_other_reviewer}
    record = run_tool(context, data_dir, "admin.repos.set", payload)
    needed = "requires" if record["require_other_reviewer"] else "does not require"
    typer.echo(f"{record['name']} {needed} another reviewer to approve a merge")


@credential_app.command("add")
def credential_add(
    context: typer.Context,
    name: str,
    data_dir: DataDir = None,
    org: OrgOption = None,
    token: Annotated[
        str | None,
        typer.Option("--token", help="A personal access token; '-' reads it from stdin."),
    ] = None,
    username: Annotated[
        str | None,
        typer.Option(help="https username sent with the token (default x-access-token)."),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(help="The only host the token is sent to (default: its first repo's)."),
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
    if (token is None) == (github_app_id is None) or (github_app_id is None) != (
        private_key_file is None
    ):
        raise usage("give --token, or --github-app-id with --private-key-file")
    if token is not None:
        secret = typer.get_text_stream("stdin").read().strip() if token == "-" else token
        payload: dict[str, Any] = {"name": name, "token": secret, "username": username}
        payload["host"] = host
        run_tool(context, data_dir, "admin.credentials.add", payload)
    else:
        assert private_key_file is not None
        try:
            key = private_key_file.read_text()
        except OSError as exc:
            typer.echo(f"error: cannot read the private key file: {exc.strerror}", err=True)
            raise typer.Exit(1) from None
        payload = {"name": name, "app_id": github_app_id, "private_key": key}
        payload["installation_id"] = installation_id
        run_tool(context, data_dir, "admin.credentials.add_github_app", payload)
    kind = "token" if token is not None else "GitHub App"
    typer.echo(f"stored credential {name} ({kind}, encrypted)")


@credential_app.command("list")
def credential_list(
    context: typer.Context, data_dir: DataDir = None, org: OrgOption = None
) -> None:
    """List stored credentials: name, kind, when added, used by; never a secret."""
    found = run_tool(context, data_dir, "admin.credentials.list", {})["credentials"]
    if not found:
        typer.echo("no credentials; add one with 'draftroom credential add'")
    for item in found:
        used = ", ".join(item["used_by"]) or "-"
        added = item["created_at"].isoformat()
        typer.echo(f"{item['name']:<24} {item['kind']:<11} {added}  used by {used}")


@credential_app.command("remove")
def credential_remove(
    context: typer.Context, name: str, data_dir: DataDir = None, org: OrgOption = None
) -> None:
    """Delete a stored credential; refused while a repository uses it."""
    run_tool(context, data_dir, "admin.credentials.remove", {"name": name})
    typer.echo(f"removed credential {name}")


@key_app.command("create")
def key_create(
    context: typer.Context,
    data_dir: DataDir = None,
    org: OrgOption = None,
    role: Annotated[
        Role | None,
        typer.Option(
            help="agent (default): sandbox tools; admin: everything. With --user: agent "
            "limits the person's key to sandbox tools."
        ),
    ] = None,
    label: Annotated[str | None, typer.Option(help="A note on who holds it.")] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", metavar="EMAIL", help="A key acting for this person of the org."),
    ] = None,
) -> None:
    """Create an API key (a person's with --user); it is printed once, as the last line."""
    payload = {"role": role.value if role else None, "label": label, "user": user}
    key = run_tool(context, data_dir, "admin.keys.create", payload)
    person = f" for {key['user']}" if key["user"] else ""
    typer.echo(f"created {key['role']} key {key['id']}{person} (shown once):")
    typer.echo(key["key"])


@key_app.command("list")
def key_list(context: typer.Context, data_dir: DataDir = None, org: OrgOption = None) -> None:
    """List the org's API keys (never a secret): id, role, person, state, last use, label."""
    for key in run_tool(context, data_dir, "admin.keys.list", {})["keys"]:
        state = f"revoked {key['revoked_at'].isoformat()}" if key["revoked_at"] else "live"
        used = key["last_used_at"].isoformat() if key["last_used_at"] else "never used"
        person = key["user"] or "-"
        typer.echo(
            f"{key['id']}  {key['role']:<5}  {person}  {state}  {used}  {key['label'] or ''}"
        )


@key_app.command("revoke")
def key_revoke(
    context: typer.Context,
    key_id: Annotated[str, typer.Argument(metavar="ID", help="The part after 'drk_'.")],
    data_dir: DataDir = None,
    org: OrgOption = None,
) -> None:
    """Revoke an API key by its id; it stops working at once."""
    key = run_tool(context, data_dir, "admin.keys.revoke", {"id": key_id})
    typer.echo(f"revoked {key['role']} key {key['id']} at {key['revoked_at'].isoformat()}")


@token_app.command("revoke")
def token_revoke(
    context: typer.Context, token_id: str, data_dir: DataDir = None, org: OrgOption = None
) -> None:
    """Revoke a reuse token by its id (the part after 'drt_'); it stops working at once."""
    token = run_tool(context, data_dir, "admin.tokens.revoke", {"token_id": token_id})
    typer.echo(f"revoked reuse token {token['token_id']} at {token['revoked_at'].isoformat()}")


@token_app.command("issue")
def token_issue(
    context: typer.Context,
    branch: str,
    repo: Annotated[str, typer.Option("--repo", help="The sandbox's repository.")],
    data_dir: DataDir = None,
    org: OrgOption = None,
) -> None:
    """Print a new reuse token for an existing sandbox (a lost token); older ones stay valid."""
    payload = {"repo_name": repo, "branch": branch}
    issued = run_tool(context, data_dir, "admin.tokens.issue", payload)
    expires = issued["expires_at"].isoformat()
    typer.echo(
        f"issued reuse token {issued['token_id']} for {issued['branch']} of "
        f"{issued['repo_name']}, valid until {expires} (shown once):"
    )
    typer.echo(issued["reuse_token"])


@sandbox_app.command("list")
def sandbox_list(
    context: typer.Context,
    data_dir: DataDir = None,
    org: OrgOption = None,
    repo: Annotated[str | None, typer.Option("--repo", help="Only this repository.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    person: Annotated[
        str | None,
        typer.Option("--person", metavar="EMAIL", help="Only those started for this person."),
    ] = None,
) -> None:
    """List sandboxes, newest first: branch, project, created, last used, state."""
    payload: dict[str, Any] = {"repo_name": repo, "limit": limit, "person": person}
    found = run_tool(context, data_dir, "sandbox.list", payload)["sandboxes"]
    if not found:
        typer.echo("no sandboxes; an agent starts one with sandbox.init")
    for item in found:
        used = item["last_used_at"].isoformat() if item["last_used_at"] else "never"
        typer.echo(
            f"{item['repo_name']}  {item['branch']:<32} project {item['project_name'] or '-'}  "
            f"created {item['created_at'].isoformat()}  last used {used}  {item['state']}"
        )
