"""Sandboxes: one private branch per user, opened only with its reuse token.

Every sandbox tool goes through ``open_sandbox``; it is the one place that decides which
repository, branch and refs a reuse token may touch. It must never let a token reach
``main`` for writing, nor another sandbox's branch at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access.lockout import token_check
from draftroom.domain.access.names import new_branch_name
from draftroom.domain.access.tokens import (
    issue_reuse_token,
    reuse_token_id,
    usable_by,
    verify_reuse_token_scope,
)
from draftroom.domain.calls import Call
from draftroom.errors import (
    AlreadyExists,
    BranchNotAllowed,
    Conflict,
    Forbidden,
    QuotaExceeded,
    RefNotFound,
    RepoNotFound,
    TokenRequired,
)
from draftroom.git import Repository
from draftroom.store import utc_now

BASE_BRANCH = "main"
ARCHIVE_REF = "refs/draftroom/archive/"
_NAME_ATTEMPTS = 20


@dataclass(frozen=True)
class SandboxAccess:
    """What one reuse token opens: one branch of one repository."""

    repo_name: str
    repo: Repository
    branch: str
    sandbox_id: int
    token_id: str
    has_upstream: bool | None = None
    """Whether the repository mirrors an upstream, as read when the sandbox was opened;
    None when not read (commits then look it up)."""
    archived: bool = False
    """Opened for reading while archived: its head is under ``ARCHIVE_REF``."""

    def head(self) -> str:
        if self.archived:
            return self.repo.resolve(ARCHIVE_REF + self.branch)
        return self.repo.head(self.branch)

    def readable_ref(self, ref: str | None) -> str:
        """The commit a read may see: the own branch, ``main``, or a commit of the own branch."""
        if ref is None or ref == self.branch:
            return self.repo.head(self.branch)
        if ref == BASE_BRANCH:
            return self.repo.head(BASE_BRANCH)
        denied = BranchNotAllowed(
            f"this token reads only its branch {self.branch!r}, 'main', or a commit of "
            f"{self.branch!r}; got {ref!r}"
        )
        if self.repo.branch_exists(ref) or not _looks_like_sha(ref):
            raise denied
        try:
            sha = self.repo.resolve(ref)
        except RefNotFound:
            raise denied from None
        if not self.repo.is_ancestor(sha, self.repo.head(self.branch)):
            raise denied
        return sha


def _looks_like_sha(ref: str) -> bool:
    return 7 <= len(ref) <= 40 and all(c in "0123456789abcdef" for c in ref.lower())


def repository_record(call: Call, session: Session, repo_name: str) -> store.RepositoryRecord:
    record = store.find_repository(session, call.principal.org_id, repo_name)
    if record is None:
        raise RepoNotFound(f"no repository named {repo_name!r}; ask an admin to register it")
    return record


def create_sandbox(
    call: Call, session: Session, repo_name: str, project_name: str | None = None
) -> tuple[SandboxAccess, str]:
    """A new branch from ``main`` and its reuse token (plaintext returned once)."""
    record = repository_record(call, session, repo_name)
    check_sandbox_quota(call, session)
    repo = call.services.git(record.path)

    def taken(name: str) -> bool:
        return repo.branch_exists(name) or store.get_sandbox(session, record.id, name) is not None

    branch = _reserve_branch(repo, taken)
    principal = call.principal
    sandbox = store.add_sandbox(
        session,
        repository_id=record.id,
        branch=branch,
        # A sign-in is no API key: its sandboxes are the person's (``created_for_user_id``).
        created_by_key_id=None if principal.signed_in else principal.api_key_id,
        project_name=project_name,
        created_for_user_id=principal.user_id,
    )
    ttl = timedelta(days=call.services.settings.token_ttl_days)
    token, plaintext = issue_reuse_token(
        session, sandbox.id, ttl, api_key_id=call.principal.api_key_id
    )
    access = SandboxAccess(repo_name, repo, branch, sandbox.id, token.id)
    note_access(call, access, sandbox)
    return access, plaintext


def refuse_named_sandbox(call: Call, session: Session, repo_name: str, branch: str) -> None:
    """Refuse to start a new sandbox when ``branch`` names an existing one (``TokenRequired``).

    Its caller most likely lost the token: a silent new sandbox would leave the work behind.
    A branch no sandbox has is no claim on anything; the caller gets a new one as asked.
    """
    record = repository_record(call, session, repo_name)
    sandbox = store.get_sandbox(session, record.id, branch)
    if sandbox is None:
        return
    call.audit.repo, call.audit.branch = record.name, sandbox.branch
    raise TokenRequired(
        f"sandbox {branch!r} already exists: pass its reuse_token to resume it, or omit "
        "'branch' to start a new one. Lost the token? The person running draftroom can issue "
        f"a new one with 'draftroom token issue {branch} --repo {repo_name}', or an admin with "
        "admin.tokens.issue",
        repo_name=record.name,
        branch=sandbox.branch,
    )


def check_sandbox_quota(call: Call, session: Session) -> None:
    """Refuse (429 ``quota_exceeded``) one more active sandbox past ``max_sandboxes_per_key``."""
    limit = call.services.settings.max_sandboxes_per_key
    principal = call.principal
    if principal.signed_in and principal.user_id is not None:
        held = store.count_sandboxes_for_user(session, principal.user_id)
    else:
        held = store.count_sandboxes_by_key(session, principal.api_key_id)
    if held >= limit:
        raise QuotaExceeded(
            f"this API key already holds {held} active sandboxes (limit {limit}); resume one "
            "with its reuse_token, or ask an admin to archive the ones no longer needed",
            limit=limit,
            sandboxes=held,
        )


def _reserve_branch(repo: Repository, taken: Callable[[str], bool]) -> str:
    """Create a fresh sandbox branch; creating the ref is what reserves the name.

    Two callers can pick the same free name at once: the ref is created only by one, and the
    other picks again, so neither sees a conflict.
    """
    for _ in range(_NAME_ATTEMPTS):
        branch = new_branch_name(taken)
        try:
            repo.create_branch(branch, BASE_BRANCH)
        except AlreadyExists:
            continue
        return branch
    raise Conflict("could not reserve a free sandbox branch name; call sandbox.init again")


def open_sandbox(
    call: Call,
    session: Session,
    repo_name: str,
    reuse_token: str,
    branch: str | None = None,
    *,
    renewing: bool = False,
    read_archived: bool = False,
) -> SandboxAccess:
    """Check a reuse token against the repository and branch a call names.

    ``renewing`` also accepts a token expired less than the grace period ago
    (``sandbox.renew``); every other tool refuses it. ``read_archived`` opens an archived
    sandbox (``archived`` set) for a tool that only reads where it stands.
    """
    scope = _verified_scope(call, session, reuse_token, renewing)
    token, sandbox, record = scope.token, scope.sandbox, scope.repository
    call.audit.token_id = token.id
    if sandbox is None or record is None:
        raise Forbidden("this reuse token's sandbox no longer exists; start a new sandbox")
    if record.org_id != call.principal.org_id or not _names(record, repo_name):
        # The same answer whether or not the repository exists: no oracle for its name.
        raise RepoNotFound(not_usable(repo_name))
    if branch is not None and branch != sandbox.branch:
        raise BranchNotAllowed(
            f"this reuse token opens only branch {sandbox.branch!r}; got {branch!r}. "
            "Omit 'branch' or pass the token's own branch"
        )
    return opened(
        call, session, record, sandbox, token.id, read_archived, has_upstream=scope.has_upstream
    )


def opened(
    call: Call,
    session: Session,
    record: store.RepositoryRecord,
    sandbox: store.Sandbox,
    credential_id: str,
    read_archived: bool,
    *,
    has_upstream: bool | None = None,
    refuse_merged: bool = False,
) -> SandboxAccess:
    """The access a checked call gets to ``sandbox`` (``credential_id``: the reuse token's
    id, or a sign-in's): refused while archived unless the tool only reads (and when merged,
    with ``refuse_merged``); named in the call's audit row."""
    archived = sandbox.status == "archived"
    if (archived and not read_archived) or (refuse_merged and sandbox.status == "merged"):
        raise archived_refusal(session, sandbox)
    access = SandboxAccess(
        record.name,
        call.services.git(record.path),
        sandbox.branch,
        sandbox.id,
        credential_id,
        has_upstream,
        archived=archived,
    )
    note_access(call, access, sandbox)
    return access


def _names(record: store.RepositoryRecord, repo_name: str) -> bool:
    """Whether ``repo_name`` (``NAME`` or ``SLUG/NAME``) is ``record``'s name."""
    return repo_name == record.name or repo_name == f"{record.org.name}/{record.name}"


def not_usable(repo_name: str) -> str:
    """The one message for a repository that does not exist or this token may not use."""
    return (
        f"no repository named {repo_name!r} for this reuse token; pass the repo_name its "
        "sandbox was started in"
    )


def _verified_scope(
    call: Call, session: Session, reuse_token: str, renewing: bool
) -> store.TokenScope:
    """The token's scope, checked for this call's API key under the wrong-token lockout."""
    principal = call.principal
    token_id = reuse_token_id(reuse_token)
    scope = store.get_token_scope(session, token_id) if token_id else None
    usable = usable_by(scope, principal.api_key_id, principal.org_id, principal.user_id)
    grace = timedelta(days=call.services.settings.token_grace_days)
    # A token this key cannot use is not its to guess: its lockout is not charged.
    with token_check(call, session, token_id if usable else None):
        return verify_reuse_token_scope(
            session,
            reuse_token,
            api_key_id=principal.api_key_id,
            org_id=principal.org_id,
            user_id=principal.user_id,
            scope=scope,
            grace=grace,
            renewing=renewing,
        )


def archived_refusal(session: Session, sandbox: store.Sandbox) -> Forbidden:
    """Why an archived sandbox's token is refused, and what to do instead."""
    latest = store.latest_merge_request(session, sandbox.id)
    if latest is not None and latest.status == "merged":
        return Forbidden(
            f"sandbox {sandbox.branch!r} was merged into main (merge request #{latest.id}) and "
            "archived; start a new sandbox with /sandbox/init to keep working"
        )
    return Forbidden(f"sandbox {sandbox.branch!r} is archived; ask an admin to restore it")


ACTIVITY_RESOLUTION = timedelta(minutes=1)
"""How stale ``last_active_at`` may be: at most one sandbox row write a minute."""


def note_access(call: Call, access: SandboxAccess, sandbox: store.Sandbox) -> None:
    """Name the sandbox in the call's audit row, and note its activity (to the minute)."""
    now = utc_now()
    if sandbox.last_active_at is None or now - sandbox.last_active_at >= ACTIVITY_RESOLUTION:
        sandbox.last_active_at = now
    call.audit.repo = access.repo_name
    call.audit.branch = access.branch
    call.audit.token_id = access.token_id
