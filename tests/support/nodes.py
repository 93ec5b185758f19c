"""Several ``draftroom serve`` nodes as one service: a fresh PostgreSQL database, Redis and
one shared repositories directory, each node with its own data dir (local caches)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.server import Server

REDIS_URL = os.environ.get("DRAFTROOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def node_env(database_url: str, repos: Path, redis_prefix: str) -> dict[str, str]:
    """What every node of one service shares."""
    return {
        "DRAFTROOM_DATABASE_URL": database_url,
        "DRAFTROOM_REDIS_URL": REDIS_URL,
        "DRAFTROOM_REDIS_KEY_PREFIX": redis_prefix,
        "DRAFTROOM_REPOS_DIR": str(repos),
        "DRAFTROOM_SECRET_KEY": "nodes-test-secret-key-shared-by-every-node",
    }


def nodes(root: Path, database_url: str, redis_prefix: str, count: int = 2) -> list[Server]:
    """``count`` servers on free loopback ports, sharing ``root/repos``; not started."""
    env = node_env(database_url, root / "repos", redis_prefix)
    found = []
    for n in range(1, count + 1):
        (root / f"node-{n}").mkdir(parents=True)
        found.append(Server(root / f"node-{n}" / "data", env=env))
    return found
