"""``Branches``: the refs half of ``Repository``: resolve, create, archive, restore and move
refs. Every ref move of a branch happens here or in a commit writer, under the branch lock.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import pygit2

from draftroom.errors import AlreadyExists, InvalidRef, RefNotFound, StaleHead
from draftroom.git.commits import commit_info, write_commit
from draftroom.git.handle import Handle
from draftroom.git.refs import (
    ARCHIVE,
    HEADS,
    branch_head,
    ensure_writable,
    resolve_commit,
    validate_branch,
)

DRAFTROOM_REFS = "refs/draftroom/"


class Branches(Handle):
    def head(self, branch: str) -> str:
        return str(branch_head(self._repo, branch).id)

    def resolve(self, ref: str) -> str:
        return str(resolve_commit(self._repo, ref).id)

    def branch_exists(self, branch: str) -> bool:
        return self._repo.references.get(HEADS + validate_branch(branch)) is not None

    def list_branches(self, prefix: str = "") -> list[str]:
        start = HEADS + prefix
        names = self._repo.listall_references()
        return sorted(name[len(HEADS) :] for name in names if name.startswith(start))

    def create_branch(self, branch: str, from_ref: str = "main") -> str:
        """Create ``branch`` at ``from_ref`` and return its head sha."""
        validate_branch(branch)
        repo = self._repo
        commit = resolve_commit(repo, from_ref)
        try:
            repo.references.create(HEADS + branch, commit.id)
        except pygit2.AlreadyExistsError:
            raise AlreadyExists(
                f"branch {branch!r} already exists; pick another name", branch=branch
            ) from None
        except pygit2.GitError as exc:  # e.g. 'a' exists and 'a/b' is asked for
            raise InvalidRef(
                f"cannot create branch {branch!r}: {exc}; pick another name", branch=branch
            ) from None
        return str(commit.id)

    def archive_branch(self, branch: str) -> str:
        """Move ``branch`` to ``refs/draftroom/archive/<branch>``; return that ref name."""
        repo = self._repo
        ensure_writable(repo, self.path, branch)
        archived = ARCHIVE + branch
        with self.locks.hold(self.path, branch):
            reference = repo.references.get(HEADS + branch)
            if reference is None:
                raise RefNotFound(f"branch {branch!r} does not exist", branch=branch)
            if repo.references.get(archived) is not None:
                raise AlreadyExists(
                    f"an archived branch {branch!r} already exists; restore it or rename first",
                    branch=branch,
                )
            reference.rename(archived)
        return archived

    def restore_branch(self, branch: str) -> str:
        """Move an archived ``branch`` back to ``refs/heads/``; return its head sha."""
        validate_branch(branch)
        repo = self._repo
        with self.locks.hold(self.path, branch):
            reference = repo.references.get(ARCHIVE + branch)
            if reference is None:
                raise RefNotFound(f"no archived branch {branch!r}", branch=branch)
            if repo.references.get(HEADS + branch) is not None:
                raise AlreadyExists(
                    f"branch {branch!r} exists again; archive or rename it before restoring",
                    branch=branch,
                )
            target = str(reference.target)
            reference.rename(HEADS + branch)
        return target

    def drop_branch(self, branch: str) -> int:
        """Delete ``branch`` and its archived copy (their commits go at the next prune);
        how many refs were deleted."""
        validate_branch(branch)
        repo = self._repo
        dropped = 0
        with self.locks.hold(self.path, branch):
            for name in (HEADS + branch, ARCHIVE + branch):
                reference = repo.references.get(name)
                if reference is not None:
                    reference.delete()
                    dropped += 1
        return dropped

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        a = resolve_commit(self._repo, ancestor).id
        d = resolve_commit(self._repo, descendant).id
        return a == d or bool(self._repo.descendant_of(d, a))

    def ahead_behind(self, ref: str, upstream: str) -> tuple[int, int]:
        local = resolve_commit(self._repo, ref).id
        other = resolve_commit(self._repo, upstream).id
        ahead, behind = self._repo.ahead_behind(local, other)
        return int(ahead), int(behind)

    def branch_lock(self, branch: str) -> AbstractContextManager[None]:
        """Hold ``branch``'s writer lock (no commit moves it meanwhile); for reconciliation."""
        return self.locks.hold(self.path, validate_branch(branch))

    def read_ref(self, name: str) -> str | None:
        """The commit a full ref name (``refs/...``) points at; None if there is no such ref."""
        reference = self._repo.references.get(name)
        return None if reference is None else str(reference.resolve().target)

    def has_commit(self, sha: str) -> bool:
        """True if the object database holds commit ``sha`` (e.g. after a fetch)."""
        try:
            return isinstance(self._repo.get(sha), pygit2.Commit)
        except (ValueError, KeyError):
            return False

    def set_ref(
        self,
        name: str,
        new: str,
        *,
        expected: str | None = None,
        force: bool = False,
        message: str = "draftroom: set ref",
    ) -> bool:
        """Point the full ref ``name`` at commit ``new``; False if it was not at ``expected``.

        A compare-and-swap: unless ``force``, the ref must still be at ``expected`` (None:
        must not exist yet). A branch (``refs/heads/...``) moves only under its writer lock
        and never while a working tree has it checked out; ``message`` goes to the reflog.
        """
        if not name.startswith("refs/") or not pygit2.reference_is_valid_name(name):
            raise InvalidRef(f"{name!r} is not a full ref name", ref=name)
        if not name.startswith(HEADS):
            return self._swap_ref(name, new, expected, force, message)
        branch = name[len(HEADS) :]
        ensure_writable(self._repo, self.path, branch)
        with self.locks.hold(self.path, branch):
            return self._swap_ref(name, new, expected, force, message)

    def _swap_ref(
        self, name: str, new: str, expected: str | None, force: bool, message: str
    ) -> bool:
        repo = self._repo
        target = pygit2.Oid(hex=new)
        reference = repo.references.get(name)
        if reference is None:
            if expected is not None and not force:
                return False
            repo.references.create(name, target, force=True)
            return True
        if not force and str(reference.target) != expected:
            return False
        reference.set_target(target, message)
        return True

    def append_record(self, ref: str, path: str, content: bytes, message: str) -> str:
        """A new commit on ``ref`` (under ``refs/draftroom/``) whose tree is the one file
        ``path`` holding ``content``, its parent the ref's last commit: an append-only
        record (the audit chain's checkpoints). Returns its sha."""
        if not ref.startswith(DRAFTROOM_REFS):
            raise InvalidRef(f"records live under {DRAFTROOM_REFS}, not {ref!r}", ref=ref)
        repo = self._repo
        builder = repo.TreeBuilder()
        builder.insert(path, repo.create_blob(content), pygit2.GIT_FILEMODE_BLOB)
        tree = builder.write()
        info = commit_info(message)
        for _ in range(20):  # another writer moved the ref between read and swap: again
            parent = self.read_ref(ref)
            parents = [pygit2.Oid(hex=parent)] if parent else []
            sha = str(write_commit(repo, tree, parents, info))
            if self._swap_ref(ref, sha, parent, False, message):
                return sha
        raise StaleHead(f"{ref} kept moving; try again", head=None)

    def only_merges_since(self, ours: str, theirs: str, marker: str, limit: int = 100) -> bool:
        """True if every commit of ``ours`` missing from ``theirs`` has ``marker`` in its
        message and parents ``theirs`` already holds (at most ``limit`` commits are walked).
        """
        repo = self._repo
        walker = repo.walk(pygit2.Oid(hex=ours))
        walker.hide(pygit2.Oid(hex=theirs))
        target = pygit2.Oid(hex=theirs)
        for count, commit in enumerate(walker):
            if count >= limit or marker not in commit.message:
                return False
            for parent in commit.parent_ids:
                if parent != target and not repo.descendant_of(target, parent):
                    return False
        return True
