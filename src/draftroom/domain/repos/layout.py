"""Where an org's repositories live on disk: ``DATA_DIR/orgs/SLUG/NAME.git`` (or
``DRAFTROOM_REPOS_DIR/SLUG/NAME.git`` on a volume several nodes share), and the move
of repositories from the single-org layout (``DATA_DIR/repos/NAME.git``) into it.

The move is crash-safe and idempotent: each repository is renamed first, then its row
updated; a later start finishes a row whose old path is gone and whose new path exists.
It runs under ``data_dir_lock``, so two processes starting at once never race. A repository
registered with ``--path`` elsewhere is never moved.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.errors import InvalidInput, NotFound

LEGACY_REPOS_DIR = "repos"
"""Where every repository lived before orgs had a directory each."""
LOCK_FILE = "layout.lock"
_PATH_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
logger = logging.getLogger("draftroom.layout")


def org_dir(settings: Settings, slug: str) -> Path:
    """``Settings.orgs_dir/SLUG``: everything of org ``slug`` on disk."""
    if not _PATH_SAFE.match(slug):
        raise InvalidInput(f"org {slug!r} cannot name a directory; use a slug like 'acme-ml'")
    return settings.orgs_dir / slug


def org_repos_dir(services: Services, session: Session, org_id: int) -> Path:
    """The directory new repositories of org ``org_id`` are created in."""
    org = store.get_org_by_id(session, org_id)
    if org is None:
        raise NotFound(f"no org with id {org_id}")
    return org_dir(services.settings, org.name)


@contextmanager
def data_dir_lock(settings: Settings) -> Iterator[None]:
    """Hold the data dir's layout lock (``DATA_DIR/layout.lock``, never deleted)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


@dataclass(frozen=True)
class Moved:
    org: str
    name: str
    old_path: str
    new_path: str


def move_legacy_repositories(services: Services) -> list[Moved]:
    """Move each repository directly under ``DATA_DIR/repos/`` into its org's directory;
    call under ``data_dir_lock``. The answer lists what moved (rows fixed up included)."""
    legacy = (services.settings.data_dir / LEGACY_REPOS_DIR).resolve()
    if not legacy.is_dir():
        return []
    moved = []
    with services.database.session() as session:
        found = [r for r in store.all_repositories(session) if Path(r.path).parent == legacy]
        for record in found:
            old = Path(record.path)
            new = org_dir(services.settings, record.org.name).resolve() / old.name
            if _move(old, new):
                record.path = str(new)
                session.commit()  # after the rename: a crash between is fixed on next start
                moved.append(Moved(record.org.name, record.name, str(old), str(new)))
    _remove_if_empty(legacy)
    return moved


def _move(old: Path, new: Path) -> bool:
    """Rename ``old`` to ``new``; True if the row should now name ``new``."""
    if old.exists() and not new.exists():
        new.parent.mkdir(parents=True, exist_ok=True)
        os.rename(old, new)
        return True
    if new.exists() and not old.exists():
        return True  # renamed by a start that crashed before updating the row
    logger.warning("repository %s not moved to %s: %s", old, new, _why(old, new))
    return False


def _why(old: Path, new: Path) -> str:
    return "both exist" if old.exists() else "neither exists"


def _remove_if_empty(directory: Path) -> None:
    # Not empty: a repository left in place, or a file someone put there.
    with contextlib.suppress(OSError):
        directory.rmdir()
