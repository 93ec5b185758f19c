"""``deploy/compose.yaml`` parses and holds what docs/deploy.md promises: PostgreSQL, Redis,
two nodes sharing one repositories volume with a data dir each, and an https proxy over both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from draftroom.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SHARED = (
    "DRAFTROOM_DATABASE_URL",
    "DRAFTROOM_REDIS_URL",
    "DRAFTROOM_REPOS_DIR",
    "DRAFTROOM_SECRET_KEY",
)


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    return loaded


def settings_env_names() -> set[str]:
    names = set()
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias
        choices = getattr(alias, "choices", None) or []
        names |= {c for c in choices if isinstance(c, str) and c.startswith("DRAFTROOM_")}
        names.add(f"DRAFTROOM_{name.upper()}")
    return names


def test_compose_runs_postgres_redis_two_nodes_and_an_https_proxy() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "node-1", "node-2", "proxy"} <= set(services)
    assert "443:443" in services["proxy"]["ports"]
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "tls internal" in caddy and "node-1:8000" in caddy and "node-2:8000" in caddy


def test_nodes_share_database_redis_and_repositories_but_not_data_dirs() -> None:
    services = compose()["services"]
    nodes = [services["node-1"], services["node-2"]]
    known = settings_env_names()
    data_volumes = []
    for node in nodes:
        env = node["environment"]
        assert set(SHARED) <= set(env)
        assert set(env) <= known, set(env) - known  # every variable is a real setting
        assert env["DRAFTROOM_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["DRAFTROOM_REDIS_URL"] == "redis://redis:6379/0"
        data_dir = node["command"][node["command"].index("--data-dir") + 1]
        mounts = dict(volume.split(":")[::-1] for volume in node["volumes"])
        assert mounts[env["DRAFTROOM_REPOS_DIR"]] == "repos"
        data_volumes.append(mounts[data_dir])
    assert nodes[0]["environment"] == nodes[1]["environment"]
    assert len(set(data_volumes)) == 2


def test_the_deploy_guide_names_every_shared_setting_and_service() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for name in (*SHARED, "DRAFTROOM_REDIS_KEY_PREFIX", "--data-dir", "deploy/compose.yaml"):
        assert name in guide
    for service in compose()["services"]:
        assert f"`{service}`" in guide
