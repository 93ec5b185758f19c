"""Write receipts: what a v2 write answers, read back from the commit it stored.

A receipt names each path the commit changed and the blob it now holds (``git rev-parse
BRANCH:PATH``) and its size, or ``deleted: true``; an agent compares them with what it
meant to write. Never built from the request: only from the object database.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from draftroom.domain.access import SandboxAccess


class Receipt(BaseModel):
    path: str
    blob_id: str | None = Field(None, description="The blob now at path (git rev-parse).")
    size: int | None = Field(None, description="Its size in bytes.")
    deleted: bool | None = Field(None, description="True: the commit removed path.")

    @model_serializer(mode="wrap")
    def _present(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """``{path, blob_id, size}`` or ``{path, deleted: true}``: no null fields."""
        return {key: value for key, value in handler(self).items() if value is not None}


class Written(BaseModel):
    """What every v2 write answers: the commit it made, where, and what landed."""

    commit_sha: str = Field(description="The commit this call made; undo with git.rollback_commit.")
    branch: str = Field(description="The branch that changed: tell the user.")
    receipts: list[Receipt] = Field(
        description="Each path the commit changed, read from the stored commit (.logs/ too)."
    )


def receipts(sandbox: SandboxAccess, commit_sha: str) -> list[Receipt]:
    """The receipts of ``commit_sha`` of the sandbox's repository, by path."""
    return [
        Receipt(path=item.path, deleted=True)
        if item.blob_id is None
        else Receipt(path=item.path, blob_id=item.blob_id, size=item.size)
        for item in sandbox.repo.landed(commit_sha)
    ]
