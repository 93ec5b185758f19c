"""Sandbox commits: the checks a change set passes (sizes, rate, secrets), the audited commit
itself (``commit_and_log``), rollbacks, and restore/undo of a sandbox's operations.

Whatever refuses a commit has written nothing; every commit carries draftroom's trailers.
"""

from draftroom.domain.commits.changes import (
    LOGS_DIR,
    RESTORES_TRAILER,
    REVERTED_LOG,
    LoggedCommit,
    changed_outside_logs,
    changelog_change,
    commit_and_log,
    on_fresh_head,
    own_commits,
    own_rollbacks,
    read_rollbacks,
    refuse_log_path,
    restore_and_log,
    rollback_commit,
)
from draftroom.domain.commits.checks import (
    check_change_set,
    check_commit,
    check_commit_rate,
    check_sandbox_size,
)
from draftroom.domain.commits.restore import (
    MAX_UNDO_STEPS,
    REVERTS_TRAILER,
    Operation,
    Undone,
    operations,
    revert_links,
)
from draftroom.domain.commits.secrets import (
    SecretFinding,
    added_lines,
    refuse_secret_texts,
    refuse_secrets,
    scan_changes,
    scan_line,
    shannon_entropy,
)
from draftroom.domain.commits.signatures import (
    KEY_TRAILER,
    REQUEST_TRAILER,
    SANDBOX_TRAILER,
    TOKEN_TRAILER,
    TOOL_TRAILER,
    author,
    trailers,
)

__all__ = [
    "KEY_TRAILER",
    "LOGS_DIR",
    "MAX_UNDO_STEPS",
    "REQUEST_TRAILER",
    "RESTORES_TRAILER",
    "REVERTED_LOG",
    "REVERTS_TRAILER",
    "SANDBOX_TRAILER",
    "TOKEN_TRAILER",
    "TOOL_TRAILER",
    "LoggedCommit",
    "Operation",
    "SecretFinding",
    "Undone",
    "added_lines",
    "author",
    "changed_outside_logs",
    "changelog_change",
    "check_change_set",
    "check_commit",
    "check_commit_rate",
    "check_sandbox_size",
    "commit_and_log",
    "on_fresh_head",
    "operations",
    "own_commits",
    "own_rollbacks",
    "read_rollbacks",
    "refuse_log_path",
    "refuse_secret_texts",
    "refuse_secrets",
    "restore_and_log",
    "revert_links",
    "rollback_commit",
    "scan_changes",
    "scan_line",
    "shannon_entropy",
    "trailers",
]
