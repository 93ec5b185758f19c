"""The git engine: sandbox branches and audited commits on a repository, without a work tree.

Imports nothing of ours but ``draftroom.errors``; returns plain values from ``objects``.
"""

from draftroom.git.bundle import write_bundle
from draftroom.git.locks import FILE_LOCKS, BranchLocks, SweptLocks
from draftroom.git.objects import (
    Change,
    CommitResult,
    ConflictSides,
    Diff,
    DiffFile,
    FileBlob,
    Identity,
    LogEntry,
    LogPage,
    MergePreview,
    MergeResult,
    Resolver,
    TreeEntry,
    TreePage,
)
from draftroom.git.paths import validate_new_path, validate_path
from draftroom.git.refs import validate_branch
from draftroom.git.remote import GitAuth, check_url, clone_bare, set_timeouts
from draftroom.git.repository import Repository

__all__ = [
    "FILE_LOCKS",
    "BranchLocks",
    "Change",
    "CommitResult",
    "ConflictSides",
    "Diff",
    "DiffFile",
    "FileBlob",
    "GitAuth",
    "Identity",
    "LogEntry",
    "LogPage",
    "MergePreview",
    "MergeResult",
    "Repository",
    "Resolver",
    "SweptLocks",
    "TreeEntry",
    "TreePage",
    "check_url",
    "clone_bare",
    "set_timeouts",
    "validate_branch",
    "validate_new_path",
    "validate_path",
    "write_bundle",
]
