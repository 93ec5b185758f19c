"""Delivering every audit record to a sink (``DRAFTROOM_AUDIT_SINK``), at least once and in
order, from the audit table itself as a durable outbox.

Each org's rows go in chain order (row ids grow in commit order within an org: rows are
chained under the head's lock); a cursor per org remembers the last row delivered and moves
only after the sink took the batch, so a sink that is down, or a restart, delays records
and never loses them (a batch may arrive twice after a crash: receivers dedupe by ``id``).
One process delivers at a time (a lease in the database, for several nodes).

Sinks: ``file:///path.jsonl`` (appended, fsynced), ``https://…`` (JSON lines POSTed, bearer
``DRAFTROOM_AUDIT_SINK_TOKEN``), ``syslog://host:port`` (RFC 5424 over TCP, octet counting).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx

from draftroom import store
from draftroom.config import Settings, check_audit_sink
from draftroom.domain.audit.export import record_of
from draftroom.domain.calls import Services

BATCH = 500
LEASE_SECONDS = 30.0
TIMEOUT_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 60.0
logger = logging.getLogger("draftroom.audit")


class SinkDown(Exception):
    """The sink did not take a batch: nothing moved, the next round tries again."""


def sink_id(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:64]


def deliver(services: Services, holder: str) -> int:
    """One round: every org's undelivered records, batch by batch; how many were delivered.
    ``SinkDown`` when the sink refused (the records stay for the next round)."""
    settings = services.settings
    url = settings.audit_sink
    if url is None:
        return 0
    ident = sink_id(url)
    delivered = 0
    with services.database.session() as session:
        if not store.claim_sink_lease(session, ident, holder, LEASE_SECONDS):
            return 0
        org_keys = [h.org_key for h in store.chain_heads(session)]
    for org_key in org_keys:
        while True:
            with services.database.session() as session:
                after = store.sink_cursors(session, ident).get(org_key, 0)
                pages = store.audit_export_pages(
                    session, org_key, after=after, chunk=BATCH, pages=1
                )
                records = [record_of(*row) for page in pages for row in page]
            if not records:
                break
            _send(settings, url, records)
            with services.database.session() as session:
                store.advance_sink_cursor(session, ident, org_key, records[-1]["id"])
                store.claim_sink_lease(session, ident, holder, LEASE_SECONDS)
            delivered += len(records)
    return delivered


def _send(settings: Settings, url: str, records: list[dict[str, Any]]) -> None:
    lines = [json.dumps(r, separators=(",", ":")) for r in records]
    parts = urlsplit(url)
    try:
        if parts.scheme == "file":
            with open(parts.path, "a", encoding="utf-8") as handle:
                handle.write("".join(line + "\n" for line in lines))
                handle.flush()
                os.fsync(handle.fileno())
        elif parts.scheme == "syslog":
            _syslog(parts.hostname or "", parts.port or 0, records, lines)
        else:
            check_audit_sink(url, allow_private=settings.allow_private_urls)
            token = settings.audit_sink_token
            headers = {"Content-Type": "application/x-ndjson"}
            if token is not None:
                headers["Authorization"] = f"Bearer {token.get_secret_value()}"
            body = "".join(line + "\n" for line in lines).encode()
            answer = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
            if answer.status_code // 100 != 2:
                raise SinkDown(f"the sink answered {answer.status_code}")
    except (OSError, httpx.HTTPError, ValueError) as exc:
        raise SinkDown(str(exc)) from None


def _syslog(host: str, port: int, records: list[dict[str, Any]], lines: list[str]) -> None:
    """RFC 5424 messages (facility 13 "log audit", severity 6 "info") over TCP, each framed
    by its length (RFC 6587 octet counting)."""
    hostname = socket.gethostname()[:255] or "-"
    frames = []
    for record, line in zip(records, lines, strict=True):
        at = record["at"]
        message = f"<110>1 {at} {hostname} draftroom - audit - {line}".encode()
        frames.append(f"{len(message)} ".encode() + message)
    with socket.create_connection((host, port), timeout=TIMEOUT_SECONDS) as connection:
        connection.sendall(b"".join(frames))


class SinkWorker:
    """Delivers in a daemon thread: a round every second while records flow, backing off
    (doubling, up to a minute) while the sink is down."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.holder = uuid.uuid4().hex
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-sink", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=TIMEOUT_SECONDS + 5)

    def _run(self) -> None:
        wait = 1.0
        while not self._stop.is_set():
            try:
                deliver(self.services, self.holder)
                wait = 1.0
            except SinkDown as exc:
                logger.warning('{"event": "audit_sink_down", "error": %s}', json.dumps(str(exc)))
                wait = min(wait * 2, MAX_BACKOFF_SECONDS)
            except Exception:  # never let the thread die: the records wait in the table
                logger.exception("audit sink round failed")
                wait = min(wait * 2, MAX_BACKOFF_SECONDS)
            self._stop.wait(wait)
