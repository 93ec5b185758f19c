"""Registering the git repositories sandboxes are made in."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.repos.layout import org_repos_dir
from draftroom.errors import AlreadyExists, InvalidInput
from draftroom.git import Repository

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

DEFAULT_README = b"""# demo

A repository created by draftroom. Ask your assistant to start a sandbox and build here:
every change lands on a private branch as an audited commit you can undo.
"""


def register_repository(
    services: Services,
    session: Session,
    org_id: int,
    name: str,
    *,
    path: Path | None = None,
    readme: bytes = DEFAULT_README,
) -> store.RepositoryRecord:
    """Register an existing repository at ``path``, or, without one, create a bare one in
    the org's directory (``DATA_DIR/orgs/SLUG/NAME.git``)."""
    if not _NAME.match(name) or name.endswith(".git"):
        raise InvalidInput(
            f"repository name {name!r} must be 1-100 letters, digits, '.', '_' or '-'"
        )
    if store.get_repository(session, org_id, name) is not None:
        raise AlreadyExists(f"a repository named {name!r} is already registered")
    if path is None:
        target = (org_repos_dir(services, session, org_id) / f"{name}.git").resolve()
        if target.exists():
            raise AlreadyExists(f"{target} already exists; register it with --path")
        repo = Repository.init(target, readme=readme, fsync=services.settings.fsync)
    else:
        repo = Repository.open(path.resolve(), fsync=services.settings.fsync)
    return store.add_repository(session, org_id, name, str(repo.path))
