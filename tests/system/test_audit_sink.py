"""Every audit record reaches the sink, at least once and in order: a file, an HTTP endpoint
(through an outage and a restart), syslog over TCP; an erased person's records that leave
afterwards carry nothing of them. The HTTP and syslog receivers are real loopback servers."""

from __future__ import annotations

import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.repos.setup import setup_default
from tests.support.api import AdminApi, Api, start_sandbox

SECRET = "a sink test secret, long enough"


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def row_ids(services: Services) -> list[int]:
    with services.database.session() as session:
        return list(session.scalars(select(store.AuditEvent.id).order_by(store.AuditEvent.id)))


def app_on(data: Path, database_url: str, sink: str) -> tuple[Settings, Services]:
    settings = Settings(
        data_dir=data,
        database_url=database_url,
        secret_key=SECRET,
        audit_sink=sink,
        audit_sink_token="sink-token",
        allow_private_urls=True,
        audit_checkpoint_minutes=0,
    )
    services = Services(settings)
    setup_default(services)
    return settings, services


def some_calls(client: TestClient, services: Services, email: str = "lin@example.com") -> Api:
    admin = AdminApi(client, services)
    admin.post("/admin/users", expect=201, email=email, role="member")
    person = Api(client, admin.post("/admin/keys", expect=201, user=email)["key"])
    sb = start_sandbox(person)
    for n in range(3):
        person.post("/files/write", **sb, path=f"{n}.md", content=str(n), message=f"n{n}")
    return person


def test_a_file_sink_gets_every_record_in_order(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "sink" / "audit.jsonl"
    target.parent.mkdir()
    settings, services = app_on(tmp_path / "data", database_url, f"file://{target}")
    with TestClient(create_app(settings, services)) as client:
        some_calls(client, services)
        ids = row_ids(services)

        def all_there() -> bool:
            lines = target.read_text().splitlines() if target.exists() else []
            return {json.loads(line)["id"] for line in lines} >= set(ids)

        wait_for(all_there)
    records = [json.loads(line) for line in target.read_text().splitlines()]
    in_org = [r["id"] for r in records if r["org"] == "default"]
    assert in_org == sorted(in_org)  # in order
    assert records[-1]["hash"] and records[-1]["prev_hash"]
    services.database.dispose()


class Receiver:
    """A loopback HTTP endpoint taking JSON lines; ``up`` False answers 503 (an outage)."""

    def __init__(self) -> None:
        self.up = False
        self.records: list[dict[str, Any]] = []
        self.refused = 0
        self.auth: set[str] = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.auth.add(self.headers.get("Authorization", ""))
                if not receiver.up:
                    receiver.refused += 1
                    self.send_response(503)
                else:
                    receiver.records += [json.loads(line) for line in body.splitlines()]
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/audit"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


def test_an_http_sink_gets_every_record_across_an_outage_and_a_restart(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    data = tmp_path / "data"
    settings, services = app_on(data, database_url, receiver.url)
    with TestClient(create_app(settings, services)) as client:
        some_calls(client, services)
        wait_for(lambda: receiver.refused > 0)  # the sink is down: tried, refused
    assert receiver.records == []
    # Erase one person while their records wait: the ones that leave later name nobody.
    env = {**os.environ, "DRAFTROOM_SECRET_KEY": SECRET, "DRAFTROOM_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "draftroom", "privacy", "erase", "--user"]
    command += ["lin@example.com", "--yes", "--data-dir", str(data)]
    erased = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert erased.returncode == 0, erased.stderr
    receiver.up = True
    settings, services = app_on(data, database_url, receiver.url)  # a restart
    with TestClient(create_app(settings, services)):
        ids = row_ids(services)
        wait_for(lambda: {r["id"] for r in receiver.records} >= set(ids))
    got = [r["id"] for r in receiver.records if r["org"] == "default"]
    assert got == sorted(set(got))  # in order, each once here (no crash in between)
    assert receiver.auth == {"Bearer sink-token"}
    assert "lin@example.com" not in json.dumps(receiver.records)
    services.database.dispose()


def test_a_syslog_sink_gets_rfc5424_messages_over_tcp(database_url: str, tmp_path: Path) -> None:
    frames: list[bytes] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            while True:
                length = b""
                while (char := self.rfile.read(1)) not in (b" ", b""):
                    length += char
                if not length:
                    return
                frames.append(self.rfile.read(int(length)))

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    settings, services = app_on(tmp_path / "data", database_url, f"syslog://127.0.0.1:{port}")
    try:
        with TestClient(create_app(settings, services)) as client:
            some_calls(client, services)
            ids = row_ids(services)
            wait_for(lambda: len(frames) >= len(ids))
    finally:
        server.shutdown()
        server.server_close()
        services.database.dispose()
    header, _, body = frames[0].decode().partition(" - audit - ")
    assert header.startswith("<110>1 ") and header.endswith(f"{socket.gethostname()} draftroom")
    assert json.loads(body)["id"] == min(ids)
