"""``commit_and_log``: every change a tool makes is one commit carrying its own changelog entry.

The ``.logs/`` directory is written here and nowhere else; file tools may read it but
``guard_writable`` refuses it. Changelog entries are one file each (unique names), so the
logs of different sandboxes never conflict when merged; they sit in one directory per hour
(``.logs/changelog/<date>/<hour>/``) so the tree a commit rewrites stays small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import yaml

from draftroom.domain.access.sandboxes import SandboxAccess
from draftroom.domain.calls.call import Call
from draftroom.domain.commits.checks import check_commit, check_commit_rate
from draftroom.domain.commits.secrets import refuse_secret_texts
from draftroom.domain.upstream.outbox import enqueue_commit
from draftroom.errors import EmptyChangeSet, PathNotFound, ReadOnlyPath, StaleHead
from draftroom.git import Change, CommitResult, Identity, Repository, TreeEntry, validate_path

LOGS_DIR = ".logs"
REVERTED_LOG = f"{LOGS_DIR}/reverted_commits.yaml"
_REVERTED_HEADER = b"# Commits rolled back in this sandbox, oldest first. Written by draftroom.\n"
_RETRIES = 5
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


def guard_writable(path: str) -> str:
    """A valid path a tool may write: never under ``.logs/``."""
    path = validate_path(path)
    if path == LOGS_DIR or path.startswith(LOGS_DIR + "/"):
        raise ReadOnlyPath(f"{path!r} is under {LOGS_DIR}/, which only draftroom writes")
    return path


def trailers(call: Call, access: SandboxAccess) -> dict[str, str]:
    return {
        "Draftroom-Tool": call.tool,
        "Draftroom-Request-Id": call.request_id,
        "Draftroom-Token-Id": access.token_id,
    }


def author(access: SandboxAccess) -> Identity:
    return Identity(name=f"draftroom ({access.branch})", email="draftroom@localhost")


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
) -> LoggedCommit:
    """One atomic commit of ``changes`` plus their changelog entry, with audit trailers.

    Size limits, the commit rate and the secret scan (``commit_checks``) run first.
    """
    check_commit(call, access, changes, allow_secrets=allow_secrets, message=message)
    files = [c.path for c in changes]
    log_change, entry = changelog_change(call, message, files)
    result = access.repo.commit_changes(
        access.branch,
        [*changes, log_change],
        message=message,
        author=author(access),
        trailers=trailers(call, access),
        expected_head=expected_head,
    )
    return _logged(call, access, result, files, entry)


def rollback_commit(
    call: Call, access: SandboxAccess, sha: str, reason: str | None
) -> LoggedCommit:
    """Revert ``sha`` and append it to ``.logs/reverted_commits.yaml`` in the same commit.

    The ``reason`` is stored in the log for ever, so one that holds a secret is refused.
    """
    refuse_secret_texts(reason=reason)
    check_commit_rate(call, access)
    sha = access.repo.resolve(sha)
    files = [f for f in access.repo.commit_files(sha) if not f.startswith(LOGS_DIR + "/")]
    attempt = 0
    while True:
        attempt += 1
        head = access.head()
        at = datetime.now(UTC).isoformat(timespec="seconds")
        record = {"reverted_sha": sha, "reason": reason or "", "at": at, "files": files}
        log = Change(REVERTED_LOG, _append_yaml(access, head, record))
        changelog, entry = changelog_change(call, f"Roll back {sha[:12]}", files)
        try:
            result = access.repo.revert_commit(
                access.branch,
                sha,
                trailers=trailers(call, access),
                extra_changes=[log, changelog],
                expected_head=head,
                author=author(access),
            )
        except StaleHead:
            if attempt == _RETRIES:
                raise
            continue
        return _logged(call, access, result, files, entry)


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
    for callers that chose ``target`` from what that head held.
    """
    target = access.repo.resolve(target)
    attempt = 0
    while True:
        attempt += 1
        head = expected_head or access.head()
        files = changed_outside_logs(access.repo, head, target)
        if not files:
            raise EmptyChangeSet(
                f"nothing to restore: outside {LOGS_DIR}/ the branch already has the files of "
                f"{target[:12]}",
                head=head,
            )
        changelog, entry = changelog_change(call, message, files)
        try:
            result = access.repo.restore_tree(
                access.branch,
                target,
                message=message,
                trailers={**trailers(call, access), RESTORES_TRAILER: target},
                extra_changes=[*_current_logs(access.repo, head, target), changelog],
                expected_head=head,
                author=author(access),
            )
        except StaleHead:
            if expected_head is not None or attempt == _RETRIES:
                raise
            continue
        return _logged(call, access, result, files, entry)


def changed_outside_logs(repo: Repository, old: str, new: str) -> list[str]:
    """Paths that differ between two commits, ``.logs/`` left out."""
    paths: set[str] = set()
    for changed in repo.diff(old, new, max_patch_bytes=0).files:
        paths.update(p for p in (changed.path, changed.old_path) if p is not None)
    return sorted(p for p in paths if not _in_logs(p))


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
    # Push-through to the upstream, if any.
    enqueue_commit(call, result.branch, result.sha, has_upstream=access.has_upstream)
    return LoggedCommit(result.sha, result.branch, files, entry)
