"""``Remote``: git over the network: clone, list, fetch and push against an upstream URL.

Credentials are handed to libgit2 through callbacks, never put in a URL or a config file.
Every network failure becomes ``UpstreamUnavailable`` with a message free of secrets; a ref
the remote refuses to update is reported back, not raised, so callers can tell a
non-fast-forward (someone else pushed) from an outage.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pygit2
from pygit2.enums import CredentialType, Option, RepositoryOpenFlag

from draftroom.errors import InvalidInput, UpstreamUnavailable
from draftroom.git.handle import Handle

# Mirrors libgit2's own process-global timeout option, so it is process-global too.
_timeouts_lock = threading.Lock()
_timeouts_set: int | None = None


@dataclass(frozen=True)
class GitAuth:
    """Username and password (a token) for https; username only means the ssh agent.

    ``host`` is the only host the password may be sent to: a redirect elsewhere gets nothing.
    """

    username: str
    password: str | None
    host: str | None = None

    def __repr__(self) -> str:
        return f"GitAuth(username={self.username!r})"


def check_url(url: str) -> str:
    """An upstream URL we can use: https/http, ssh, or file, with no secret inside it."""
    if url.startswith("git@") and ":" in url:
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http", "ssh", "file"):
        raise InvalidInput(
            f"upstream URL must be https://, ssh://, git@host:path or file://, got {url!r}"
        )
    if parts.password:
        raise InvalidInput(
            "the upstream URL contains a password or token; remove it and pass "
            "--credential NAME instead (stored encrypted)"
        )
    return url


class _Callbacks(pygit2.RemoteCallbacks):
    def __init__(self, auth: GitAuth | None) -> None:
        super().__init__()
        self._auth = auth
        self._asked = 0
        self.rejected: dict[str, str] = {}

    def credentials(
        self, url: str, username_from_url: str | None, allowed_types: CredentialType
    ) -> Any:
        self._asked += 1
        if self._asked > 1 or self._auth is None:
            # libgit2 asks again after a refusal; answering again would loop forever.
            raise UpstreamUnavailable(
                "the upstream refused the credentials; check the token or app permissions"
            )
        if allowed_types & CredentialType.USERPASS_PLAINTEXT and self._auth.password:
            asked_by = (urlsplit(url).hostname or "").lower().rstrip(".")
            if self._auth.host is not None and asked_by != self._auth.host:
                raise UpstreamUnavailable(
                    f"{asked_by!r} asked for the credential of {self._auth.host!r} "
                    "(a redirect?); it was not sent"
                )
            return pygit2.UserPass(self._auth.username, self._auth.password)
        if allowed_types & CredentialType.SSH_KEY:
            return pygit2.KeypairFromAgent(username_from_url or self._auth.username)
        raise UpstreamUnavailable("the upstream asked for a kind of credential we do not have")

    def push_update_reference(self, refname: str, message: str | None) -> None:
        if message:
            self.rejected[refname] = message


def set_timeouts(seconds: int) -> None:
    """libgit2's connect and read timeouts (process-wide) so a hung upstream cannot hang us."""
    global _timeouts_set
    with _timeouts_lock:
        if _timeouts_set == seconds:
            return
        pygit2.option(Option.SET_SERVER_CONNECT_TIMEOUT, seconds * 1000)
        pygit2.option(Option.SET_SERVER_TIMEOUT, seconds * 1000)
        _timeouts_set = seconds


@contextmanager
def _network(what: str, url: str) -> Iterator[None]:
    try:
        yield
    except UpstreamUnavailable:
        raise
    except (pygit2.GitError, OSError, ValueError, KeyError) as exc:
        raise UpstreamUnavailable(f"{what} {_display(url)} failed: {exc}") from None


def _display(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        return url.replace(parts.netloc, parts.hostname or "", 1)
    return url


@contextmanager
def _opened(gitdir: Path) -> Iterator[pygit2.Repository]:
    repo = pygit2.Repository(str(gitdir), RepositoryOpenFlag.NO_SEARCH)
    try:
        yield repo
    finally:
        repo.free()


def clone_bare(url: str, target: Path, auth: GitAuth | None) -> str:
    """Clone ``url`` bare into ``target``; the upstream's default branch name."""
    with _network("cloning", url):
        repo = pygit2.clone_repository(url, str(target), bare=True, callbacks=_Callbacks(auth))
    try:
        if repo.head_is_unborn:
            raise InvalidInput(
                f"{_display(url)} has no commits yet; push a first commit to it, then add it"
            )
        return str(repo.head.shorthand)
    finally:
        repo.free()


class Remote(Handle):
    def remote_heads(self, url: str, auth: GitAuth | None) -> dict[str, str]:
        """The upstream's branches and their head shas (``refs/heads/`` stripped)."""
        with _opened(self.path) as repo, _network("listing", url):
            remote = repo.remotes.create_anonymous(url)
            heads = remote.list_heads(callbacks=_Callbacks(auth))
        found: dict[str, str] = {}
        for head in heads:
            name = head.name or ""
            if name.startswith("refs/heads/"):
                found[name[len("refs/heads/") :]] = str(head.oid)
        return found

    def fetch(self, url: str, auth: GitAuth | None, refspecs: Sequence[str]) -> None:
        """Fetch ``refspecs`` (``+src:dst``) from ``url`` into the repository."""
        with _opened(self.path) as repo, _network("fetching from", url):
            remote = repo.remotes.create_anonymous(url)
            remote.fetch(list(refspecs), callbacks=_Callbacks(auth))

    def push(self, url: str, auth: GitAuth | None, refspecs: Sequence[str]) -> dict[str, str]:
        """Push ``refspecs``; the refs the remote refused, with its reason (empty: all taken)."""
        callbacks = _Callbacks(auth)
        with _opened(self.path) as repo, _network("pushing to", url):
            remote = repo.remotes.create_anonymous(url)
            remote.push(list(refspecs), callbacks=callbacks)
        return callbacks.rejected
