"""Bringing a data dir up to the current layout whenever services start on it.

Moves repositories from the single-org layout into their orgs' directories
(``domain.repos.move_legacy_repositories``) and re-encrypts credentials stored under the
legacy shared key under their org's own key (``domain.upstream.reencrypt_legacy``), both
under the data dir's lock: idempotent, crash-safe, and safe when two processes start at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from draftroom.domain.calls import Services
from draftroom.domain.repos import Moved, data_dir_lock, move_legacy_repositories
from draftroom.domain.upstream import reencrypt_legacy

logger = logging.getLogger("draftroom.layout")


@dataclass(frozen=True)
class Prepared:
    moved: list[Moved]
    reencrypted: int


def prepare_data_dir(services: Services) -> Prepared:
    """Upgrade what is old in the data dir; a no-op once it is current. Call after
    ``database.migrate()``, before serving anything."""
    settings = services.settings
    if not settings.data_dir.is_dir():  # nothing on disk (a database elsewhere): keys only
        with services.database.session() as session:
            return Prepared([], reencrypt_legacy(settings, session))
    with data_dir_lock(settings):
        moved = move_legacy_repositories(services)
        with services.database.session() as session:
            reencrypted = reencrypt_legacy(settings, session)
    for each in moved:
        logger.info("moved repository %s/%s to %s", each.org, each.name, each.new_path)
    if reencrypted:
        logger.info("re-encrypted %d credential(s) under their org's key", reencrypted)
    return Prepared(moved, reencrypted)
