"""The long-lived parts one process shares: settings, database, opened git repositories, and
the process-wide components of higher packages (``component``).

Built once at start and passed down; nothing here lives at import time, so every
``Services`` (one per app, one per test) starts with state of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from draftroom.config import Settings
from draftroom.domain.calls.alerts import AlertSender
from draftroom.domain.calls.counters import SharedCounters
from draftroom.domain.calls.failures import FailureCounter
from draftroom.git import FILE_LOCKS, BranchLocks, Repository, SweptLocks
from draftroom.store import Database

T = TypeVar("T")


class Services:
    def __init__(self, settings: Settings, database: Database | None = None) -> None:
        self.settings = settings
        self.database = database or Database(settings.resolved_database_url)
        self._repos: dict[Path, Repository] = {}
        self.failures = FailureCounter()
        self.alerts = AlertSender(
            settings.alert_webhook_url, allow_private=settings.allow_private_urls
        )
        self._components: dict[type[Any], Any] = {}
        self.plugin_template_dirs: list[Path] = []
        """Template directories plugins registered (``register_templates``), set at start."""
        self._lock = threading.Lock()
        advisory = self.database.branch_locks
        self.branch_locks: BranchLocks = FILE_LOCKS if advisory is None else SweptLocks(advisory)
        """Writer locks per branch: across nodes on PostgreSQL, file locks on SQLite."""
        self.counters: SharedCounters | None = None
        """Rate limits, quotas and lockouts in Redis when configured; else in the database."""
        if settings.redis_url is not None and settings.redis_url.get_secret_value():
            url = settings.redis_url.get_secret_value()
            self.counters = SharedCounters(url, settings.redis_key_prefix)

    def git(self, path: str | Path) -> Repository:
        """The engine for a registered repository, opened once per process (its libgit2
        handles reopened when another process merged its packs)."""
        key = Path(path)
        with self._lock:
            repo = self._repos.get(key)
            if repo is None:
                repo = Repository.open(
                    key,
                    fsync=self.settings.fsync,
                    allow_case_collisions=self.settings.allow_case_collisions,
                    locks=self.branch_locks,
                )
                self._repos[key] = repo
        repo.notice_merged_packs()
        return repo

    def component(self, kind: type[T], build: Callable[[], T] | None = None) -> T:
        """This process's one ``kind`` (e.g. the GitHub installation-token cache), built on
        first use by ``build`` (default ``kind()``) and shared by every call after that.

        How a package above this one keeps per-process state without importing it here.
        """
        with self._lock:
            found = self._components.get(kind)
            if found is None:
                found = self._components[kind] = (build or kind)()
            return cast(T, found)
