"""An admin's way out of a diverged branch (a sandbox's, or ``main``): take the upstream's
side, or force ours onto it.

Either way nothing is lost: the side given up is kept at ``refs/draftroom/replaced/<branch>``
and pushing resumes; the tool that asked (``admin.repos.resolve``) audits the decision, so
this module writes no audit row. A forced push
is refused if the upstream moved again after we looked, so a commit nobody has seen yet is
never overwritten. ``main`` maps to the upstream's default branch; only an admin (API key or
the CLI) can reach this, never a reuse token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import BASE_BRANCH
from draftroom.domain.calls import Services
from draftroom.domain.upstream.access import git_auth
from draftroom.domain.upstream.refs import (
    OUTBOX,
    REPLACED,
    TRACKING,
    move_branch,
    pin,
)
from draftroom.errors import Conflict, NotFound, RefNotFound, RepoNotFound, UpstreamUnavailable
from draftroom.git import GitAuth, Repository, set_timeouts

Choice = Literal["adopt_theirs", "force_ours"]


@dataclass(frozen=True)
class Resolution:
    """``head``: where the branch now is on both sides; ``replaced``: the side given up."""

    branch: str
    choice: Choice
    head: str
    replaced: str

    @property
    def replaced_ref(self) -> str:
        return REPLACED + self.branch


def resolve_divergence(
    services: Services,
    org_id: int,
    repo_name: str,
    branch: str,
    choice: Choice,
) -> Resolution:
    """Make local and upstream ``branch`` one again, keeping the other side under a ref."""
    with services.database.session() as session:
        record, upstream, entry_id = _diverged(session, org_id, repo_name, branch)
    remote = upstream.main_branch if branch == BASE_BRANCH else branch
    repo = services.git(record.path)
    auth = git_auth(services, upstream)
    set_timeouts(services.settings.upstream_timeout_seconds)
    repo.fetch(upstream.url, auth, [f"+refs/heads/{remote}:{TRACKING}{remote}"])
    theirs = repo.read_ref(TRACKING + remote)
    if theirs is None:
        raise RefNotFound(f"the upstream has no branch {remote!r} any more; nothing to resolve")
    ours = repo.head(branch)
    if choice == "adopt_theirs":
        _adopt_theirs(repo, branch, ours, theirs)
        head, replaced = theirs, ours
    else:
        _force_ours(repo, upstream.url, auth, branch, remote, ours, theirs)
        head, replaced = ours, theirs
    with services.database.session() as session:
        if entry_id is not None:
            store.mark_resolved(session, entry_id, pushed_sha=head)
        if branch == BASE_BRANCH:
            row = store.get_upstream(session, record.id)
            assert row is not None
            row.main_state = "synced"
            row.fetch_error = None
    return Resolution(branch, choice, head, replaced)


def _diverged(
    session: Session, org_id: int, repo_name: str, branch: str
) -> tuple[store.RepositoryRecord, store.Upstream, int | None]:
    """The repository, its upstream and the outbox row (if any) of a diverged ``branch``."""
    record = store.find_repository(session, org_id, repo_name)
    if record is None:
        raise RepoNotFound(f"no repository named {repo_name!r}")
    upstream = store.get_upstream(session, record.id)
    if upstream is None:
        raise NotFound(f"repository {repo_name!r} has no upstream")
    entry = store.get_outbox_entry(session, record.id, branch)
    diverged = entry is not None and entry.state == "diverged"
    if branch == BASE_BRANCH:
        diverged = diverged or upstream.main_state == "diverged"
    if not diverged:
        raise Conflict(f"branch {branch!r} of {repo_name!r} is not diverged; nothing to do")
    _ = upstream.credential  # load while the session is open
    return record, upstream, None if entry is None else entry.id


def _adopt_theirs(repo: Repository, branch: str, ours: str, theirs: str) -> None:
    pin(repo, REPLACED + branch, ours)
    if not move_branch(repo, branch, theirs, expected=ours):
        raise Conflict(f"branch {branch!r} moved while resolving; run the command again")


def _force_ours(
    repo: Repository,
    url: str,
    auth: GitAuth | None,
    branch: str,
    remote: str,
    ours: str,
    theirs: str,
) -> None:
    """Force ``ours`` onto the upstream's ``remote``, unless it moved since we saw ``theirs``."""
    pin(repo, REPLACED + branch, theirs)
    pin(repo, OUTBOX + branch, ours)
    now = repo.remote_heads(url, auth).get(remote)
    if now != theirs:
        raise Conflict(
            f"the upstream's {remote!r} moved again while resolving (to "
            f"{(now or 'nothing')[:12]}); run the command again to decide on what it has now"
        )
    rejected = repo.push(url, auth, [f"+{OUTBOX}{branch}:refs/heads/{remote}"])
    if rejected:
        reasons = "; ".join(rejected.values())
        raise UpstreamUnavailable(
            f"the upstream refused the forced push of {remote!r} ({reasons}); if the branch "
            "is protected, allow force pushes for it or resolve with --adopt-theirs"
        )
    pin(repo, TRACKING + remote, ours)
