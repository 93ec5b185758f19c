"""The long-lived parts one process shares: settings, database and opened git repositories."""

from __future__ import annotations

import threading
from pathlib import Path

from draftroom.config import Settings
from draftroom.domain.calls.alerts import AlertSender
from draftroom.domain.calls.failures import FailureCounter
from draftroom.git import Repository
from draftroom.store import Database


class Services:
    def __init__(self, settings: Settings, database: Database | None = None) -> None:
        self.settings = settings
        self.database = database or Database(settings.resolved_database_url)
        self._repos: dict[Path, Repository] = {}
        self.failures = FailureCounter()
        self.alerts = AlertSender(settings.alert_webhook_url)
        self._lock = threading.Lock()

    def git(self, path: str | Path) -> Repository:
        """The engine for a registered repository, opened once per process."""
        key = Path(path)
        with self._lock:
            repo = self._repos.get(key)
            if repo is None:
                repo = Repository.open(
                    key,
                    fsync=self.settings.fsync,
                    allow_case_collisions=self.settings.allow_case_collisions,
                )
                self._repos[key] = repo
            return repo
