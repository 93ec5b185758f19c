"""``draftroom org add|list|delete`` as the operator types them: slugs checked, orgs listed
with what they hold, one org deleted whole while another with the same names is untouched."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.git import Repository
from tests.domain.orgs.conftest import Cli
from tests.support.api import Api, start_sandbox, write


def test_an_org_is_added_once_with_a_valid_slug_and_listed(cli: Cli) -> None:
    assert "added org acme-ml (Acme ML)" in cli("org", "add", "acme-ml", "--name", "Acme ML").output
    taken = cli("org", "add", "acme-ml", expect=1).output
    assert "error: already_exists:" in taken
    for bad in ("Acme", "a", "ac.me", "acme_ml", "a" * 40):
        refused = cli("org", "add", bad, expect=1).output
        assert "error: invalid_input:" in refused and "^[a-z0-9][a-z0-9-]{1,38}$" in refused
    cli("repo", "add", "site", "--init", "--org", "acme-ml")
    cli.key("acme-ml")
    listed = cli("org", "list").output.splitlines()
    acme = next(line for line in listed if line.startswith("acme-ml\t"))
    assert "Acme ML" in acme and "1 repositories\t0 people\t2 keys" in acme  # the owner's and ours
    assert any(line.startswith("default\t") for line in listed)
    assert not any(line.startswith(("Acme\t", "a\t")) for line in listed)


def test_org_tools_are_for_the_operator_at_the_command_line_only(cli: Cli) -> None:
    cli("org", "add", "acme")
    acme_admin = cli.key("acme")
    refused = cli("org", "delete", "default", "--yes", key=acme_admin, expect=1).output
    assert "error: insufficient_scope:" in refused
    assert "insufficient_scope" in cli("org", "list", key=acme_admin, expect=1).output
    with TestClient(create_app(cli.services.settings, cli.services)) as client:
        headers = {"Authorization": f"Bearer {cli.key('default')}"}
        assert client.get("/admin/orgs", headers=headers).status_code == 404
        assert client.post("/admin/orgs", json={"slug": "x1"}, headers=headers).status_code == 404


def test_delete_needs_yes_and_a_known_org_and_spares_the_operators_own(cli: Cli) -> None:
    cli("org", "add", "acme")
    cli("repo", "add", "site", "--init", "--org", "acme")
    usage = cli("org", "delete", "acme", expect=2).output
    assert "--yes" in usage
    assert (cli.data / "orgs/acme/site.git").is_dir() and "acme\t" in cli("org", "list").output
    assert "error: not_found:" in cli("org", "delete", "nobody", "--yes", expect=1).output
    assert "error: conflict:" in cli("org", "delete", "default", "--yes", expect=1).output


def test_deleting_an_org_spares_another_with_the_same_names_and_stops_its_keys(
    cli: Cli, tmp_path: Path
) -> None:
    for slug in ("acme", "beta"):
        cli("org", "add", slug)
        cli("repo", "add", "site", "--init", "--org", slug)
    outside = Repository.init(tmp_path / "outside.git", readme=b"kept\n").path
    cli("repo", "add", "kept", "--path", str(outside), "--org", "acme")
    keys = {slug: cli.key(slug, "agent") for slug in ("acme", "beta")}
    with TestClient(create_app(cli.services.settings, cli.services)) as client:
        sandboxes = {slug: start_sandbox(Api(client, key), "site") for slug, key in keys.items()}
        heads = {
            slug: write(Api(client, keys[slug]), sandboxes[slug], "a.md", slug) for slug in keys
        }

    with cli.services.database.session() as session:
        acme_id = store.get_org(session, "acme").id  # type: ignore[union-attr]
        assert store.get_chain_head(session, acme_id) is not None
    deleted = cli("org", "delete", "acme", "--yes").output
    assert "deleted org acme (1 repositories removed)" in deleted
    assert f"left in place (registered with --path): {outside}" in deleted.replace("\n", "")
    assert not (cli.data / "orgs/acme").exists() and Path(outside).is_dir()
    assert (cli.data / "orgs/beta/site.git").is_dir()
    listed = cli("org", "list").output
    assert "acme\t" not in listed and "beta\t" in listed
    with TestClient(create_app(cli.services.settings, cli.services)) as client:
        gone = client.post(
            "/files/read",
            json={**sandboxes["acme"], "path": "a.md"},
            headers={"Authorization": f"Bearer {keys['acme']}"},
        )
        assert gone.status_code == 401
        beta = Api(client, keys["beta"])
        assert beta.post("/files/read", **sandboxes["beta"], path="a.md")["content"] == "beta"
        assert beta.post("/git/history", **sandboxes["beta"])["commits"][0]["sha"] == heads["beta"]
    with cli.services.database.session() as session:  # its audit chain went with its rows
        assert store.get_chain_head(session, acme_id) is None
