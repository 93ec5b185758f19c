"""``draftroom org export SLUG DIR``: bundles that clone back to the same heads, and the org's
rows as JSON, none of another org's and never a hash or ciphertext."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from tests.domain.orgs.conftest import Cli
from tests.support.api import Api, start_sandbox, write
from tests.support.gitserver import run_git

TOKEN = "ghp_exported_never"


def refs(gitdir: Path) -> dict[str, str]:
    listed = run_git("--git-dir", str(gitdir), "for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ") for line in listed.splitlines())


def test_an_export_bundles_every_ref_and_holds_only_the_orgs_rows(cli: Cli, tmp_path: Path) -> None:
    for slug in ("acme", "beta"):
        cli("org", "add", slug)
        cli("repo", "add", "site", "--init", "--org", slug)
        cli("credential", "add", "gh", "--token", "-", "--org", slug, stdin=TOKEN + "\n")
    keys = {slug: cli.key(slug, "agent") for slug in ("acme", "beta")}
    with TestClient(create_app(cli.services.settings, cli.services)) as client:
        for slug, key in keys.items():
            write(Api(client, key), start_sandbox(Api(client, key), "site"), "a.md", slug)
    gitdir = cli.data / "orgs/acme/site.git"
    head = refs(gitdir)["refs/heads/main"]
    run_git("--git-dir", str(gitdir), "update-ref", "refs/draftroom/archive/kept", head)

    out = tmp_path / "export"
    printed = cli("org", "export", "acme", str(out)).output
    assert "repositories/site.bundle" in printed
    clone = tmp_path / "clone.git"
    run_git("clone", "--mirror", "-q", str(out / "repositories/site.bundle"), str(clone))
    assert refs(clone) == refs(gitdir) and "refs/draftroom/archive/kept" in refs(clone)

    document = json.loads((out / "org.json").read_text())
    assert document["org"]["name"] == "acme"
    acme_id = document["org"]["id"]
    assert [r["name"] for r in document["repositories"]] == ["site"]
    assert {r["org_id"] for r in document["repositories"] + document["api_keys"]} == {acme_id}
    assert keys["acme"].split("_")[1] in {k["id"] for k in document["api_keys"]}
    assert keys["beta"].split("_")[1] not in json.dumps(document)
    assert len(document["sandboxes"]) == 1 and len(document["reuse_tokens"]) == 1
    assert document["audit_events"] and {e["org_id"] for e in document["audit_events"]} == {acme_id}
    [head] = document["audit_chain_heads"]  # the chain's end, to verify the exported rows
    assert head["org_key"] == acme_id and head["last_id"] == document["audit_events"][-1]["id"]
    assert document["webhook_deliveries"] == []
    assert [c["name"] for c in document["credentials"]] == ["gh"]
    for forbidden in ("secret_hash", "password_hash", '"secret"', "gAAAA", TOKEN):
        assert forbidden not in json.dumps(document)  # gAAAA: how every Fernet token starts


def test_an_export_refuses_a_directory_that_is_not_empty_or_an_unknown_org(
    cli: Cli, tmp_path: Path
) -> None:
    cli("org", "add", "acme")
    full = tmp_path / "full"
    full.mkdir()
    (full / "mine.txt").write_text("keep me\n")
    refused = cli("org", "export", "acme", str(full), expect=1).output
    assert "error: invalid_input:" in refused and "not an empty directory" in refused
    assert [p.name for p in full.iterdir()] == ["mine.txt"]
    missing = cli("org", "export", "nobody", str(tmp_path / "new"), expect=1).output
    assert "error: not_found:" in missing and not (tmp_path / "new").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    cli("org", "export", "acme", str(empty))
    assert (empty / "org.json").is_file() and (empty / "repositories").is_dir()


def test_an_export_tool_call_needs_an_absolute_directory(cli: Cli) -> None:
    cli("org", "add", "acme")
    payload = '{"slug": "acme", "dir": "relative/export"}'
    refused = cli("call", "admin.orgs.export", "--json", payload, expect=1).output
    assert '"code": "invalid_input"' in refused and "absolute" in refused


def test_an_export_holds_the_orgs_sign_in_clients_consents_and_tokens_never_their_hashes(
    cli: Cli, tmp_path: Path
) -> None:
    hashes = {}
    for slug in ("acme", "beta"):
        cli("org", "add", slug)
        with cli.services.database.session() as session:
            org = store.get_org(session, slug)
            assert org is not None
            person = store.add_user(session, org.id, f"ana@{slug}.example", "member")
            store.add_oauth_client(session, f"client-{slug}", "GPT", ["https://x/cb"], "h", org.id)
            store.add_oauth_consent(session, person.id, f"client-{slug}")
            now = store.utc_now()
            hashes[slug] = (f"access-hash-{slug}", f"refresh-hash-{slug}")
            store.add_oauth_token(
                session,
                id=f"token-{slug}",
                family_id=f"family-{slug}",
                client_id=f"client-{slug}",
                user_id=person.id,
                scope="tools",
                access_hash=hashes[slug][0],
                refresh_hash=hashes[slug][1],
                expires_at=now + timedelta(hours=1),
                refresh_expires_at=now + timedelta(days=30),
            )
    out = tmp_path / "export"
    cli("org", "export", "acme", str(out))
    document = json.loads((out / "org.json").read_text())
    assert [c["id"] for c in document["oauth_clients"]] == ["client-acme"]
    assert [c["client_id"] for c in document["oauth_consents"]] == ["client-acme"]
    assert [t["family_id"] for t in document["oauth_tokens"]] == ["family-acme"]
    text = json.dumps(document)
    assert not [h for h in (*hashes["acme"], *hashes["beta"], "client-beta") if h in text]
