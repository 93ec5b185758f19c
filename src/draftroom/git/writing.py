"""``Writing``: the write half of ``Repository``: commits, reverts, restores and merges, each
atomic under the branch's writer lock (see ``changeset``, ``revert`` and ``merge``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from draftroom.errors import DraftroomError
from draftroom.git import changeset, merge, revert
from draftroom.git.handle import Handle
from draftroom.git.housekeeping import merge_small_packs, pack_count
from draftroom.git.objects import Change, CommitResult, Identity, MergeResult, Resolver

PACK_LIMIT = 50
"""Packs a repository may hold before a commit merges the small ones: a lookup that misses
searches every pack (``packs``: each commit writes one)."""
CHECK_PACKS_EVERY = 10
"""Commits (in this process) between two counts of the packs."""
logger = logging.getLogger("draftroom.git")


class Writing(Handle):
    def commit_changes(
        self,
        branch: str,
        changes: Sequence[Change],
        *,
        message: str,
        author: Identity | None = None,
        committer: Identity | None = None,
        trailers: Mapping[str, str] | None = None,
        expected_head: str | None = None,
    ) -> CommitResult:
        """Commit ``changes`` atomically; rebase onto a moved head when no path overlaps."""
        result = changeset.commit_changes(
            self._repo,
            self.path,
            branch,
            changes,
            locks=self.locks,
            fsync=self.fsync,
            message=message,
            author=author,
            committer=committer,
            trailers=trailers,
            expected_head=expected_head,
            allow_case_collisions=self.allow_case_collisions,
        )
        self._merge_packs_when_many()
        return result

    def _merge_packs_when_many(self) -> None:
        """Each commit wrote a pack: every ``CHECK_PACKS_EVERY`` commits, merge the small
        ones once there are more than ``PACK_LIMIT``. The commit has landed whatever happens
        here; a merge that fails is logged and tried again later (maintenance repacks too)."""
        self._packs_written += 1
        if self._packs_written % CHECK_PACKS_EVERY or pack_count(self.path) <= PACK_LIMIT:
            return
        try:
            if merge_small_packs(self.path):
                self.notice_merged_packs()
        except DraftroomError as exc:
            logger.warning("could not merge the packs of %s: %s", self.path, exc)

    def revert_commit(
        self,
        branch: str,
        sha: str,
        *,
        message: str | None = None,
        trailers: Mapping[str, str] | None = None,
        extra_changes: Sequence[Change] = (),
        expected_head: str | None = None,
        author: Identity | None = None,
        keep: str | None = None,
    ) -> CommitResult:
        """Commit the inverse of ``sha`` on ``branch`` (with a ``Reverts:`` trailer);
        the top-level directory ``keep`` stays as the head has it."""
        return revert.revert_commit(
            self._repo,
            self.path,
            branch,
            sha,
            locks=self.locks,
            fsync=self.fsync,
            message=message,
            trailers=trailers,
            extra_changes=extra_changes,
            expected_head=expected_head,
            author=author,
            keep=keep,
        )

    def restore_tree(
        self,
        branch: str,
        to_ref: str,
        *,
        message: str,
        trailers: Mapping[str, str] | None = None,
        extra_changes: Sequence[Change] = (),
        expected_head: str | None = None,
        author: Identity | None = None,
    ) -> CommitResult:
        """Commit ``to_ref``'s tree on ``branch``, keeping the history in between."""
        return revert.restore_tree(
            self._repo,
            self.path,
            branch,
            to_ref,
            locks=self.locks,
            fsync=self.fsync,
            message=message,
            trailers=trailers,
            extra_changes=extra_changes,
            expected_head=expected_head,
            author=author,
        )

    def merge(
        self,
        source_ref: str,
        target_branch: str,
        *,
        message: str,
        author: Identity | None = None,
        trailers: Mapping[str, str] | None = None,
        expected_target_head: str | None = None,
        resolver: Resolver | None = None,
    ) -> MergeResult:
        """Merge ``source_ref`` into ``target_branch`` under its lock; conflicts write nothing."""
        return merge.merge(
            self._repo,
            self.path,
            source_ref,
            target_branch,
            locks=self.locks,
            message=message,
            author=author,
            trailers=trailers,
            expected_target_head=expected_target_head,
            resolver=resolver,
        )

    def commit_merge(
        self,
        source_ref: str,
        target_branch: str,
        *,
        message: str,
        author: Identity | None = None,
        trailers: Mapping[str, str] | None = None,
        expected_target_head: str | None = None,
        resolver: Resolver | None = None,
        squash: bool = False,
        keep: Sequence[str] = (),
        extra_changes: Sequence[Change] = (),
    ) -> CommitResult:
        """One new commit on ``target_branch`` merging ``source_ref`` (see ``merge.commit_merge``)."""
        return merge.commit_merge(
            self._repo,
            self.path,
            source_ref,
            target_branch,
            locks=self.locks,
            fsync=self.fsync,
            message=message,
            author=author,
            trailers=trailers,
            expected_target_head=expected_target_head,
            resolver=resolver,
            squash=squash,
            keep=keep,
            extra_changes=extra_changes,
        )
