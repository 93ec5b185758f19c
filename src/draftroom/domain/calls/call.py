"""Who is calling and what one tool call touched: filled in as the call runs, read by the audit.

A call owns at most one database session (``Call.session``), shared by the checks every
sandbox tool runs (reuse token, lockout, commit rate) and the call's audit row, so a call
costs one connection and one commit instead of one per check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from draftroom.domain.calls.services import Services


class PluginHooks(Protocol):
    """What the domain asks of installed plugins on its own paths (before and after a commit,
    on a merge request). ``draftroom.plugins.PluginHost`` implements it and ``Registry.invoke``
    hands it to each ``Call``; the domain never imports the plugins package."""

    def before_commit(
        self, call: Call, access: Any, changes: Sequence[tuple[str, bytes | None]]
    ) -> None:
        """Raise ``CommitRefused`` when a plugin refuses ``changes`` ((path, data or None
        for a deletion)) on ``access``'s branch; nothing has been written yet."""

    def after_commit(self, call: Call, access: Any, sha: str, files: Sequence[str]) -> None:
        """Tell plugins a commit landed on ``access``'s branch."""

    def on_merge_request(self, call: Call, access: Any, request: Mapping[str, Any]) -> None:
        """Tell plugins a merge request was opened."""


class NoPlugins:
    """The hooks when no plugin is installed (or the registry was built without them)."""

    def before_commit(
        self, call: Call, access: Any, changes: Sequence[tuple[str, bytes | None]]
    ) -> None:
        return None

    def after_commit(self, call: Call, access: Any, sha: str, files: Sequence[str]) -> None:
        return None

    def on_merge_request(self, call: Call, access: Any, request: Mapping[str, Any]) -> None:
        return None


NO_PLUGINS: PluginHooks = NoPlugins()


@dataclass(frozen=True)
class Principal:
    """The API key behind a call (its public id, never its secret), and the person it acts
    for when it is a person's key (``role`` ``person`` or ``agent``, ``user_id`` set)."""

    api_key_id: str
    org_id: int
    role: str
    user_id: int | None = None
    person_role: str | None = None
    user_email: str | None = None
    user_name: str | None = None
    """The person's email and name, read with the key: what their commits are signed with."""
    signed_in: bool = False
    """The person signed in (an OAuth access token, ``api_key_id`` ``oauth:<family>``): their
    own sandboxes open by branch, without a reuse token."""


@dataclass
class AuditFields:
    repo: str | None = None
    branch: str | None = None
    token_id: str | None = None
    commit_sha: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    """Extra JSON-safe facts for the audit row (e.g. an ``allow_secrets`` override)."""
    bytes_written: int | None = None
    """File content the call's commits added: what the daily write quotas count."""


Progress = Callable[[float, "float | None", "str | None"], None]
"""Told ``(done, total, message)`` at a long call's steps; the MCP adapter forwards it to a
client that asked for progress. Never raises into the call."""


@dataclass
class Call:
    services: Services
    principal: Principal
    request_id: str
    tool: str
    transport: str = "http"
    audit: AuditFields = field(default_factory=AuditFields)
    client: str | None = None
    """The caller's network address (HTTP), for lockouts; None when there is none (stdio)."""
    progress: Progress | None = None
    plugins: PluginHooks = NO_PLUGINS
    """The installed plugins' hooks (``Registry.invoke`` passes its own)."""
    _session: Session | None = field(default=None, init=False, repr=False)

    @property
    def session(self) -> Session:
        """The call's session, opened on first use; ``end`` commits it with the audit row.

        Whoever writes through it calls ``save`` before touching git or another session:
        on SQLite an uncommitted write holds the database's one write lock.
        """
        if self._session is None:
            self._session = self.services.database.new_session()
        return self._session

    def report(self, done: float, total: float | None = None, message: str | None = None) -> None:
        """Tell whoever watches (``progress``) how far a long call got; a no-op otherwise."""
        if self.progress is not None:
            self.progress(done, total, message)

    def save(self) -> None:
        """Commit what the call's session changed so far (e.g. a token's ``last_used_at``).

        Commits whenever a transaction is open: changes an autoflush already sent (a lazy
        load flushes them) no longer show in ``dirty`` yet still hold SQLite's write lock.
        """
        session = self._session
        if session is not None and session.in_transaction():
            session.commit()

    def end(self, write_audit: Callable[[Session], object], *, failed: bool) -> None:
        """Write the audit row and close the call's session.

        A call that succeeded commits its row with whatever its session still holds; one
        that failed rolls its session back first, so the rollback cannot take the row along.
        """
        session = self._session or self.services.database.new_session()
        self._session = None
        try:
            if failed:
                session.rollback()
            write_audit(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
