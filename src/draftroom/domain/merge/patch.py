"""What a merge request brings to ``main``, as a patch a reviewer reads.

A merged request shows the commit that landed (against its first parent); any other shows
what the sandbox changed since it last met ``main``. Both leave out ``.logs/`` and the
workspace files, which a squash never lands.
"""

from __future__ import annotations

from draftroom import store
from draftroom.domain.access import BASE_BRANCH
from draftroom.domain.merge.squash import MAIN_ONLY
from draftroom.git import Diff, Repository


def request_patch(repo: Repository, request: store.MergeRequest, max_patch_bytes: int) -> Diff:
    if request.status == "merged" and request.merge_sha:
        landed = repo.log(request.merge_sha, limit=1).commits[0]
        old = landed.parents[0] if landed.parents else request.merge_sha
        new = request.merge_sha
    else:
        old = repo.merge_preview(request.source_sha, BASE_BRANCH).base or request.source_sha
        new = request.source_sha
    return repo.diff(old, new, max_patch_bytes=max_patch_bytes, exclude=MAIN_ONLY)
