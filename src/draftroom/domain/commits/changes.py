"""``commit_and_log``: every change a tool makes is one commit carrying its own changelog entry.

The ``.logs/`` directory is written here and nowhere else; file tools may read it but
``refuse_log_path`` (run by the tools' ``NewPath``/``writable_path`` inputs) refuses it. Changelog
entries are one file each (unique names), so the logs of different sandboxes never conflict
when merged; they sit in one directory per hour (``.logs/changelog/<date>/<hour>/``) so the
tree a commit rewrites stays small.

A moved branch is handled in two places, each once: the git engine re-applies a change set
whose ``expected_head`` moved when the commits in between touched other paths (no retry, no
re-read), and ``on_fresh_head`` is the one retry for an edit built from what the head held
(a workspace file, the rollback log, a restore), which it builds again on the new head.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import yaml

from draftroom.domain.access import BASE_BRANCH, SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits.checks import check_commit, check_commit_rate
from draftroom.domain.commits.secrets import refuse_secret_texts
from draftroom.domain.commits.signatures import author, trailers, written_by_sandbox
from draftroom.domain.upstream import enqueue_commit
from draftroom.errors import (
    EmptyChangeSet,
    InvalidInput,
    NotFound,
    PathNotFound,
    ReadOnlyPath,
    StaleHead,
)
from draftroom.git import (
    Change,
    CommitResult,
    LogEntry,
    Repository,
    TreeEntry,
)

LOGS_DIR = ".logs"
REVERTED_LOG = f"{LOGS_DIR}/reverted_commits.yaml"
_REVERTED_HEADER = b"# Commits rolled back in this sandbox, oldest first. Written by draftroom.\n"
HEAD_ATTEMPTS = 8
"""Times ``on_fresh_head`` builds an edit before a still-moving branch is the caller's 409."""
# libyaml's emitter when present: same output, a fifth of the CPU on every commit.
_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
RESTORES_TRAILER = "Draftroom-Restores"
"""Names the commit whose tree a restore or undo brought back (``.logs/`` aside)."""


@dataclass(frozen=True)
class LoggedCommit:
    sha: str
    branch: str
    files: list[str]
    changelog_entry: dict[str, Any]


T = TypeVar("T")


def refuse_log_path(path: str) -> str:
    """``path`` unless it is under ``.logs/``, which only draftroom writes (403)."""
    if _in_logs(path):
        raise ReadOnlyPath(f"{path!r} is under {LOGS_DIR}/, which only draftroom writes")
    return path


def on_fresh_head(
    access: SandboxAccess, attempt: Callable[[str], T], expected_head: str | None = None
) -> T:
    """``attempt(head)``, run again on the new head while another commit keeps racing it.

    With ``expected_head`` the caller chose its edit from that head: a moved branch is then
    its answer (``StaleHead``), not a retry.
    """
    for number in range(1, HEAD_ATTEMPTS + 1):
        try:
            return attempt(expected_head or access.head())
        except StaleHead:
            if expected_head is not None or number == HEAD_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def own_commits(
    repo: Repository, head: str, branch: str, limit: int, cursor: str | None = None
) -> list[LogEntry]:
    """The sandbox's own commits from ``head`` down (first parents), newest first.

    Its own: written by its tools, or not (yet) in ``main`` (a commit made by hand on the
    branch). Stops at the first other one: ``main``'s, or another sandbox's merged in.
    """
    page = repo.log(head, cursor=cursor, limit=limit, first_parent=True)
    main = repo.head(BASE_BRANCH)

    def own(entry: LogEntry) -> bool:
        return written_by_sandbox(entry, branch) or not repo.is_ancestor(entry.sha, main)

    return list(itertools.takewhile(own, page.commits))


def changelog_change(
    call: Call, message: str, files: Sequence[str]
) -> tuple[Change, dict[str, Any]]:
    at = datetime.now(UTC)
    entry: dict[str, Any] = {
        "path": f"{LOGS_DIR}/changelog/{at:%Y-%m-%d}/{at:%H}/{at:%M%S%f}-{call.request_id[:8]}.yaml",
        "at": at.isoformat(timespec="seconds"),
        "tool": call.tool,
        "request_id": call.request_id,
        "message": message,
        "files": list(files),
    }
    fields = {k: v for k, v in entry.items() if k != "path"}
    data = yaml.dump(fields, Dumper=_SafeDumper, sort_keys=False)
    return Change(entry["path"], data.encode()), entry


def commit_and_log(
    call: Call,
    access: SandboxAccess,
    changes: Sequence[Change],
    message: str,
    expected_head: str | None = None,
    *,
    allow_secrets: bool = False,
    old: Mapping[str, bytes | None] | None = None,
) -> LoggedCommit:
    """One atomic commit of ``changes`` plus their changelog entry, with audit trailers.

    Size limits, the commit rate and the secret scan (``check_commit``) run first. ``old``
    holds what the caller already read of the changed paths at ``expected_head`` (None:
    absent), so the checks do not read those blobs again.
    """
    check_commit(call, access, changes, allow_secrets=allow_secrets, old=old, message=message)
    call.plugins.before_commit(
        call, access, [(c.path, None if c.delete else c.data) for c in changes]
    )
    files = [c.path for c in changes]
    log_change, entry = changelog_change(call, message, files)
    result = access.repo.commit_changes(
        access.branch,
        [*changes, log_change],
        message=message,
        author=author(call, access),
        trailers=trailers(call, access),
        expected_head=expected_head,
    )
    return _logged(call, access, result, files, entry)


def rollback_commit(
    call: Call, access: SandboxAccess, sha: str, reason: str | None
) -> LoggedCommit:
    """Revert ``sha`` and append it to ``.logs/reverted_commits.yaml`` in the same commit.

    ``.logs/`` is history, so the revert keeps it whole (``sha``'s own changelog entry, and
    the entries a merge from ``main`` brought) and only adds to it. The ``reason`` is stored in the log for ever, so one that holds a secret is refused.
    """
    refuse_secret_texts(reason=reason)
    check_commit_rate(call, access)
    sha = access.repo.resolve(sha)
    files = [f for f in access.repo.commit_files(sha) if not f.startswith(LOGS_DIR + "/")]
    parents = access.repo.log(sha, limit=1).commits[0].parents
    call.plugins.before_commit(call, access, _contents(access.repo, parents[:1], files))

    def attempt(head: str) -> LoggedCommit:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        record = {
            "reverted_sha": sha,
            "reason": reason or "",
            "at": at,
            "files": files,
            "branch": access.branch,
        }
        log = Change(REVERTED_LOG, _append_yaml(access, head, record))
        changelog, entry = changelog_change(call, f"Roll back {sha[:12]}", files)
        result = access.repo.revert_commit(
            access.branch,
            sha,
            trailers=trailers(call, access),
            extra_changes=[log, changelog],
            expected_head=head,
            author=author(call, access),
            keep=LOGS_DIR,
        )
        return _logged(call, access, result, files, entry)

    return on_fresh_head(access, attempt)


def restore_and_log(
    call: Call,
    access: SandboxAccess,
    target: str,
    message: str,
    expected_head: str | None = None,
) -> LoggedCommit:
    """One commit whose tree is ``target``'s outside ``.logs/``, keeping the current ``.logs/``.

    The logs are history, so a restore never takes them back: it adds its own changelog
    entry to them. With ``expected_head`` it fails on a moved branch instead of retrying,
    for callers that chose ``target`` from what that head held. It counts against the commit
    rate like any write (``sandbox.undo`` and ``git.restore`` come here).
    """
    check_commit_rate(call, access)
    target = access.repo.resolve(target)

    def attempt(head: str) -> LoggedCommit:
        files = changed_outside_logs(access.repo, head, target)
        if not files:
            raise EmptyChangeSet(
                f"nothing to restore: outside {LOGS_DIR}/ the branch already has the files of "
                f"{target[:12]}",
                head=head,
            )
        call.plugins.before_commit(call, access, _contents(access.repo, [target], files))
        changelog, entry = changelog_change(call, message, files)
        result = access.repo.restore_tree(
            access.branch,
            target,
            message=message,
            trailers={**trailers(call, access), RESTORES_TRAILER: target},
            extra_changes=[*_current_logs(access.repo, head, target), changelog],
            expected_head=head,
            author=author(call, access),
        )
        return _logged(call, access, result, files, entry)

    return on_fresh_head(access, attempt, expected_head)


def changed_outside_logs(repo: Repository, old: str, new: str) -> list[str]:
    """Paths that differ between two commits (a rename: both paths), ``.logs/`` left out."""
    return [path for path in repo.changed_files(old, new) if not _in_logs(path)]


def _contents(
    repo: Repository, refs: Sequence[str], paths: Sequence[str]
) -> list[tuple[str, bytes | None]]:
    """What ``paths`` hold at the first of ``refs`` (None: absent, or no ref): the change set
    a revert or restore makes, as ``before_commit`` hooks see it."""
    found: list[tuple[str, bytes | None]] = []
    for path in paths:
        try:
            found.append((path, repo.read_file(refs[0], path).data if refs else None))
        except PathNotFound:
            found.append((path, None))
    return found


def _in_logs(path: str) -> bool:
    return path == LOGS_DIR or path.startswith(LOGS_DIR + "/")


def _log_files(repo: Repository, ref: str) -> dict[str, TreeEntry]:
    found: dict[str, TreeEntry] = {}
    cursor: str | None = None
    while True:
        try:
            page = repo.list_tree(ref, LOGS_DIR, recursive=True, cursor=cursor, limit=1000)
        except PathNotFound:
            return found
        found.update((e.path, e) for e in page.entries if e.type != "dir")
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def _current_logs(repo: Repository, head: str, target: str) -> list[Change]:
    """The changes that turn ``target``'s ``.logs/`` into ``head``'s."""
    now, then = _log_files(repo, head), _log_files(repo, target)
    changes = [
        Change(path, repo.read_file(head, path).data, executable=e.mode == 0o100755)
        for path, e in sorted(now.items())
        if path not in then or (then[path].oid, then[path].mode) != (e.oid, e.mode)
    ]
    changes += [Change(path, delete=True) for path in sorted(then.keys() - now.keys())]
    return changes


def read_rollbacks(repo: Repository, ref: str) -> list[dict[str, Any]]:
    """The records of ``.logs/reverted_commits.yaml`` at ``ref``, oldest first.

    Anything that is not a list of mappings (a hand-edited file) reads as no records.
    """
    try:
        data = yaml.safe_load(repo.read_file(ref, REVERTED_LOG).data)
    except (PathNotFound, yaml.YAMLError):
        return []
    if not isinstance(data, list):
        return []
    return [record for record in data if isinstance(record, dict)]


def own_rollbacks(repo: Repository, ref: str, branch: str) -> list[dict[str, Any]]:
    """The records of ``read_rollbacks`` this sandbox wrote, oldest first.

    Records merged in from ``main`` belong to other sandboxes: a record names its ``branch``;
    an older one without it counts as this sandbox's when the commit it rolled back is.
    """
    found = []
    for record in read_rollbacks(repo, ref):
        if "branch" in record:
            if record["branch"] == branch:
                found.append(record)
            continue
        try:
            reverted = repo.log(str(record.get("reverted_sha", "")), limit=1).commits
        except (InvalidInput, NotFound):
            continue
        if reverted and written_by_sandbox(reverted[0], branch):
            found.append(record)
    return found


def _append_yaml(access: SandboxAccess, head: str, record: dict[str, Any]) -> bytes:
    """Append as text so whatever a person wrote in the file is kept as it is."""
    try:
        current = access.repo.read_file(head, REVERTED_LOG).data
    except PathNotFound:
        current = _REVERTED_HEADER
    if current and not current.endswith(b"\n"):
        current += b"\n"
    entry: str = yaml.safe_dump([record], sort_keys=False)
    return current + entry.encode()


def _logged(
    call: Call,
    access: SandboxAccess,
    result: CommitResult,
    files: list[str],
    entry: dict[str, Any],
) -> LoggedCommit:
    call.audit.commit_sha = result.sha
    call.plugins.after_commit(call, access, result.sha, files)
    # Push-through to the upstream, if any.
    enqueue_commit(call, result.branch, result.sha, has_upstream=access.has_upstream)
    return LoggedCommit(result.sha, result.branch, files, entry)
