"""The git engine: sandbox branches and audited commits on a repository, without a work tree.

Imports nothing of ours but ``draftroom.errors``; returns plain values from ``objects``.
"""

from draftroom.git.objects import (
    Change,
    CommitResult,
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
from draftroom.git.repository import Repository

__all__ = [
    "Change",
    "CommitResult",
    "Diff",
    "DiffFile",
    "FileBlob",
    "Identity",
    "LogEntry",
    "LogPage",
    "MergePreview",
    "MergeResult",
    "Repository",
    "Resolver",
    "TreeEntry",
    "TreePage",
    "validate_branch",
    "validate_new_path",
    "validate_path",
]
