"""The embedded default a first ``draftroom serve`` creates: org, ``demo`` repository, admin key."""

from __future__ import annotations

import os

from draftroom import store
from draftroom.domain.access import issue_api_key
from draftroom.domain.calls import Services
from draftroom.domain.repos.repositories import register_repository
from draftroom.errors import AlreadyExists

DEMO_REPO = "demo"


def setup_default(services: Services) -> str | None:
    """Create what is missing; the admin key's plaintext when one was made (shown once)."""
    settings = services.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services.database.migrate()
    key_file = settings.data_dir / "admin.key"
    with services.database.session() as session:
        org = store.get_or_create_org(session, settings.org)
        if store.get_repository(session, org.id, DEMO_REPO) is None and not store.list_repositories(
            session, org.id
        ):
            try:
                register_repository(services, session, org.id, DEMO_REPO)
            except AlreadyExists:  # another node sharing the repositories is creating it
                session.rollback()
                org = store.get_or_create_org(session, settings.org)
        if key_file.exists():
            return None
        _, plaintext = issue_api_key(session, org.id, "admin", label="bootstrap admin")
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(plaintext + "\n")
    return plaintext
