"""The git engine: sandbox branches and audited commits on a repository, without a work tree.

Imports nothing of ours but ``draftroom.errors``; returns plain values from ``objects``.
"""

from draftroom.git.bundle import write_bundle
from draftroom.git.objects import (
    Change,
    CommitResult,
    ConflictSides,
    Diff,
    DiffFile,
    FileBlob,
    Identity,
    Landed,
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
    "Change",
    "CommitResult",
    "ConflictSides",
    "Diff",
    "DiffFile",
    "FileBlob",
    "GitAuth",
    "Identity",
    "Landed",
    "LogEntry",
    "LogPage",
    "MergePreview",
    "MergeResult",
    "Repository",
    "Resolver",
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
