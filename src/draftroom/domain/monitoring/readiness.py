"""Whether this node can serve (``GET /ready``): the database answers, Redis answers (when
``DRAFTROOM_REDIS_URL`` is set) and the repositories volume takes a write.

Each check says what failed in words an operator acts on, never a password or a URL with
credentials in it: the probe's answer is unauthenticated.
"""

from __future__ import annotations

import os
import socket
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.repos import org_dir

PROBE_SECONDS = 2.0
"""How long one check may take: a load balancer's probe must answer before it times out."""


@dataclass(frozen=True)
class Readiness:
    ready: bool
    checks: dict[str, str] = field(default_factory=dict)
    """check -> ``ok``, or what failed."""


def check_readiness(services: Services) -> Readiness:
    """Run every check; ready only when each says ``ok``."""
    checks: dict[str, Callable[[Services], None]] = {
        "database": _database,
        "repositories": _repositories,
    }
    if services.settings.redis_url is not None:
        checks["redis"] = _redis
    results = {}
    for name, check in checks.items():
        try:
            check(services)
            results[name] = "ok"
        except Exception as exc:  # any failure is an answer here, never a 500
            results[name] = _described(exc)
    return Readiness(all(v == "ok" for v in results.values()), results)


def _described(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _database(services: Services) -> None:
    with services.database.session() as session:
        store.monitoring.ping(session)


def repositories_root(services: Services) -> Path:
    """The directory every org's repositories live under (the shared volume with nodes)."""
    return org_dir(services.settings, services.settings.org).parent


def _repositories(services: Services) -> None:
    """Create, write, fsync and remove a file: a read-only or full volume fails here."""
    root = repositories_root(services)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a directory")
    probe = root / f".ready-{uuid.uuid4().hex}"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, b"ready\n")
        os.fsync(fd)
    finally:
        os.close(fd)
        probe.unlink(missing_ok=True)


def _redis(services: Services) -> None:
    """``PING`` (after ``AUTH`` and ``SELECT`` when the URL names them) over one socket."""
    value = services.settings.redis_url
    url = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError("DRAFTROOM_REDIS_URL must be a redis:// or rediss:// URL")
    commands = []
    if parts.password is not None:
        user = [unquote(parts.username)] if parts.username else []
        commands.append(["AUTH", *user, unquote(parts.password)])
    database = parts.path.strip("/")
    if database:
        commands.append(["SELECT", database])
    commands.append(["PING"])
    host = parts.hostname or "127.0.0.1"
    with socket.create_connection((host, parts.port or 6379), timeout=PROBE_SECONDS) as raw:
        tls = parts.scheme == "rediss"
        conn = ssl.create_default_context().wrap_socket(raw, server_hostname=host) if tls else raw
        conn.sendall(b"".join(_resp(command) for command in commands))
        replies = conn.makefile("rb")
        for command in commands:
            line = replies.readline()
            if not line.startswith((b"+", b":")):
                # The reply to AUTH names no secret; cut it short anyway.
                raise ConnectionError(f"redis refused {command[0]}: {line[:80]!r}")


def _resp(command: list[str]) -> bytes:
    """One command in the Redis protocol (RESP arrays of bulk strings)."""
    out = [f"*{len(command)}\r\n".encode()]
    for word in command:
        data = word.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)
