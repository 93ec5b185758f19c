"""The git engine: sandbox branches and audited commits on a repository, without a work tree.

Imports nothing of ours but ``draftroom.errors``; returns plain values from ``objects``.
"""

from draftroom.git.bundle import write_bundle
from draftroom.git.collisions import collision_key
from draftroom.git.housekeeping import (
    ObjectCounts,
    Repacked,
    remove_stale_locks,
    repack_and_prune,
)
from draftroom.git.locks import FILE_LOCKS, BranchLocks, SweptLocks
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
from draftroom.git.snapshots import (
    SnapshotFile,
    Stored,
    delete_snapshots,
    open_or_init_store,
    snapshot_files,
    snapshot_refs,
    store_snapshot,
)

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
    "Landed",
    "LogEntry",
    "LogPage",
    "MergePreview",
    "MergeResult",
    "ObjectCounts",
    "Repacked",
    "Repository",
    "Resolver",
    "SnapshotFile",
    "Stored",
    "SweptLocks",
    "TreeEntry",
    "TreePage",
    "check_url",
    "clone_bare",
    "collision_key",
    "delete_snapshots",
    "open_or_init_store",
    "remove_stale_locks",
    "repack_and_prune",
    "set_timeouts",
    "snapshot_files",
    "snapshot_refs",
    "store_snapshot",
    "validate_branch",
    "validate_new_path",
    "validate_path",
    "write_bundle",
]
