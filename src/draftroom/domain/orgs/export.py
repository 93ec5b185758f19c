"""``org export``: everything of one org in a directory another server (or plain git) reads.

``DIR/repositories/NAME.bundle`` holds every ref of each repository (``refs/draftroom/*``
too), verified; ``DIR/org.json`` its rows by table. Never a key or token hash, a password
hash or a credential's ciphertext (``store.org_rows`` leaves them out). The directory is
built aside and renamed into place: a failed export leaves no partial one.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from draftroom import store
from draftroom.domain.calls import Call
from draftroom.domain.orgs.lifecycle import existing_org, require_operator
from draftroom.errors import InvalidInput
from draftroom.git import write_bundle

FORMAT = 1
"""``format`` in ``org.json``; raised when its shape changes."""
BUNDLES_DIR = "repositories"
ROWS_FILE = "org.json"


@dataclass(frozen=True)
class Exported:
    slug: str
    directory: str
    bundles: list[str]
    """Repository names bundled; one without any ref has no bundle."""
    rows: dict[str, int]
    """How many rows of each table ``org.json`` holds."""


def export_org(call: Call, slug: str, directory: Path) -> Exported:
    require_operator(call)
    org = existing_org(call.services, slug)
    if not directory.is_absolute():  # the server's working directory is nobody's choice
        raise InvalidInput(f"dir must be an absolute path, got {str(directory)!r}")
    target = directory.resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidInput(f"{target} exists and is not an empty directory; name a new one")
    call.audit.detail.update(org=slug)
    with call.services.database.session() as session:
        rows = store.org_rows(session, org.id)
    staging = target.with_name(f".{target.name}.partial-{uuid.uuid4().hex}")
    try:
        (staging / BUNDLES_DIR).mkdir(parents=True)
        bundled = [
            record["name"]
            for record in rows["repositories"]
            if write_bundle(
                Path(record["path"]), staging / BUNDLES_DIR / f"{record['name']}.bundle"
            )
        ]
        document = {"format": FORMAT, **rows, "org": rows["org"][0]}
        text = json.dumps(document, indent=2, sort_keys=True, default=_json_value)
        (staging / ROWS_FILE).write_text(text + "\n")
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    counts = {table: len(found) for table, found in rows.items() if table != "org"}
    return Exported(slug, str(target), bundled, counts)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to org.json")
