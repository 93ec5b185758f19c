"""``commit_and_log``: every change a tool makes is one commit carrying its own changelog entry.

The ``.logs/`` directory is written here and nowhere else; file tools may read it but
``guard_writable`` refuses it. Changelog entries are one file each (unique names), so the
logs of different sandboxes never conflict when merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import yaml

from draftroom.domain.calls import Call
from draftroom.domain.sandboxes import SandboxAccess
from draftroom.errors import PathNotFound, ReadOnlyPath, StaleHead
from draftroom.git import Change, CommitResult, Identity, validate_path

LOGS_DIR = ".logs"
REVERTED_LOG = f"{LOGS_DIR}/reverted_commits.yaml"
_REVERTED_HEADER = b"# Commits rolled back in this sandbox, oldest first. Written by draftroom.\n"
_RETRIES = 5


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
        "path": f"{LOGS_DIR}/changelog/{at:%Y-%m-%d}/{at:%H%M%S%f}-{call.request_id[:8]}.yaml",
        "at": at.isoformat(timespec="seconds"),
        "tool": call.tool,
        "request_id": call.request_id,
        "message": message,
        "files": list(files),
    }
    data = yaml.safe_dump({k: v for k, v in entry.items() if k != "path"}, sort_keys=False)
    return Change(entry["path"], data.encode()), entry


def commit_and_log(
    call: Call,
    access: SandboxAccess,
    changes: Sequence[Change],
    message: str,
    expected_head: str | None = None,
) -> LoggedCommit:
    """One atomic commit of ``changes`` plus their changelog entry, with audit trailers."""
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
    return _logged(call, result, files, entry)


def rollback_commit(
    call: Call, access: SandboxAccess, sha: str, reason: str | None
) -> LoggedCommit:
    """Revert ``sha`` and append it to ``.logs/reverted_commits.yaml`` in the same commit."""
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
        return _logged(call, result, files, entry)


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
    call: Call, result: CommitResult, files: list[str], entry: dict[str, Any]
) -> LoggedCommit:
    call.audit.commit_sha = result.sha
    return LoggedCommit(result.sha, result.branch, files, entry)
