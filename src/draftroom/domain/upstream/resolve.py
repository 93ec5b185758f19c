"""An admin's way out of a diverged sandbox branch: take the upstream's side, or ours.

Either way nothing is lost: the side given up is kept at ``refs/draftroom/replaced/<branch>``,
the decision is written to the audit log, and pushing resumes.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Literal

from draftroom import store
from draftroom.domain.audit import record_event
from draftroom.domain.services import Services
from draftroom.domain.upstream import transport
from draftroom.domain.upstream.access import git_auth
from draftroom.domain.upstream.refs import OUTBOX, REPLACED, TRACKING, move_branch, set_ref
from draftroom.errors import Conflict, NotFound, RepoNotFound, UpstreamUnavailable

Choice = Literal["adopt_theirs", "force_ours"]


@dataclass(frozen=True)
class Resolution:
    branch: str
    choice: Choice
    head: str
    replaced: str


def resolve_divergence(
    services: Services, org_id: int, repo_name: str, branch: str, choice: Choice, *, actor: str
) -> Resolution:
    """Make local and upstream ``branch`` one again, keeping the other side under a ref."""
    started = time.perf_counter()
    with services.database.session() as session:
        record = store.get_repository(session, org_id, repo_name)
        if record is None:
            raise RepoNotFound(f"no repository named {repo_name!r}")
        upstream = store.get_upstream(session, record.id)
        entry = store.get_outbox_entry(session, record.id, branch)
        if upstream is None:
            raise NotFound(f"repository {repo_name!r} has no upstream")
        if entry is None or entry.state != "diverged":
            raise Conflict(f"branch {branch!r} of {repo_name!r} is not diverged; nothing to do")
        _ = upstream.credential
        entry_id = entry.id
    repo = services.git(record.path)
    auth = git_auth(services.settings, upstream)
    transport.set_timeouts(services.settings.upstream_timeout_seconds)
    transport.fetch(repo.path, upstream.url, auth, [f"+refs/heads/{branch}:{TRACKING}{branch}"])
    theirs = repo.resolve(TRACKING + branch)
    ours = repo.head(branch)
    if choice == "adopt_theirs":
        set_ref(repo.path, REPLACED + branch, ours)
        if not move_branch(repo.path, branch, theirs, expected=ours):
            raise Conflict(f"branch {branch!r} moved while resolving; run the command again")
        head, replaced = theirs, ours
    else:
        set_ref(repo.path, REPLACED + branch, theirs)
        set_ref(repo.path, OUTBOX + branch, ours)
        rejected = transport.push(
            repo.path, upstream.url, auth, [f"+{OUTBOX}{branch}:refs/heads/{branch}"]
        )
        if rejected:
            raise UpstreamUnavailable(f"the upstream refused the forced push: {rejected}")
        head, replaced = ours, theirs
    with services.database.session() as session:
        store.mark_resolved(session, entry_id, pushed_sha=head)
        record_event(
            session,
            request_id=uuid.uuid4().hex,
            tool="repo.resolve",
            outcome="ok",
            duration_ms=(time.perf_counter() - started) * 1000,
            repo=repo_name,
            branch=branch,
            commit_sha=head,
            detail={"choice": choice, "replaced": replaced, "actor": actor},
        )
    return Resolution(branch, choice, head, replaced)
