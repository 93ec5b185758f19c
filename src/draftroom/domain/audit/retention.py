"""Retention (``DRAFTROOM_AUDIT_RETENTION_DAYS``): rows older than that leave the database
for a sealed archive, and the chain goes on from the last archived row.

An archive is ``DATA_DIR/audit-archive/org-<id>/<first>-<last>.jsonl`` (the export's
records, which carry each row's ``prev_hash`` and ``hash``) beside ``….jsonl.sha256``, both
written and fsynced before any row is removed. Only a prefix of an org's chain is archived,
and only what a configured sink already delivered. ``audit verify`` checks each archive's
seal and continues the chain from the head's ``archived_hash``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from draftroom import store
from draftroom.domain.audit.export import record_of
from draftroom.domain.audit.sink import sink_id
from draftroom.domain.calls import Services
from draftroom.store import utc_now

BATCH = 5000
ARCHIVE_DIR = "audit-archive"


@dataclass
class Retained:
    archived: int = 0
    files: int = 0


def archive_dir(services: Services, org_key: int) -> Path:
    return Path(services.settings.data_dir) / ARCHIVE_DIR / f"org-{org_key}"


def retain(services: Services) -> Retained:
    """Archive and remove every org's rows older than the retention period."""
    days = services.settings.audit_retention_days
    done = Retained()
    if days is None:
        return done
    before = utc_now() - timedelta(days=days)
    sink = services.settings.audit_sink
    with services.database.session() as session:
        org_keys = [h.org_key for h in store.chain_heads(session)]
    for org_key in org_keys:
        while _archive_batch(services, org_key, before, sink, done):
            pass
    return done


def _archive_batch(
    services: Services, org_key: int, before: datetime, sink: str | None, done: Retained
) -> bool:
    """One archive file of the oldest expired rows; False when none are left."""
    with services.database.session() as session:
        head = store.lock_chain_head(session, org_key)  # one archiver (and writer) at a time
        delivered = store.sink_cursors(session, sink_id(sink)).get(org_key, 0) if sink else None
        rows = store.expired_rows(session, org_key, before, delivered, BATCH)
        if not rows:
            return False
        folder = archive_dir(services, org_key)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{rows[0].id:012d}-{rows[-1].id:012d}.jsonl"
        pages = store.audit_export_pages(
            session, org_key, after=rows[0].id - 1, chunk=len(rows), pages=1
        )
        lines = [json.dumps(record_of(*r), separators=(",", ":")) + "\n" for p in pages for r in p]
        content = "".join(lines[: len(rows)]).encode()
        _write_synced(path, content)
        _write_synced(Path(f"{path}.sha256"), f"{hashlib.sha256(content).hexdigest()}\n".encode())
        legacy = sum(1 for row in rows if row.id <= head.legacy_max_id)
        chained = [row for row in rows if row.id > head.legacy_max_id]
        head.legacy_count -= legacy
        head.count -= len(chained)
        head.archived_until_id = rows[-1].id
        if chained:
            head.archived_hash = chained[-1].hash
        store.delete_audit_rows(session, [row.id for row in rows])
    done.archived += len(rows)
    done.files += 1
    return len(rows) == BATCH


def _write_synced(path: Path, content: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def broken_seals(services: Services, org_key: int) -> list[str]:
    """Archives of ``org_key`` whose content no longer matches their seal."""
    folder = archive_dir(services, org_key)
    broken = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        seal = Path(f"{path}.sha256")
        expected = seal.read_text().strip() if seal.exists() else ""
        if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            broken.append(path.name)
    return broken


def archived_hashes(services: Services, org_key: int, wanted: set[int]) -> dict[int, str]:
    """The hashes of the ``wanted`` rows that were archived (checkpoints may name them)."""
    folder = archive_dir(services, org_key)
    found: dict[int, str] = {}
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() and wanted else []:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                if record["id"] in wanted and record["hash"]:
                    found[record["id"]] = record["hash"]
    return found
