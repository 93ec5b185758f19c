"""File tools: read and list at any readable ref, write as a one-file audited commit."""

from __future__ import annotations

import base64
import re
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, model_validator

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits import commit_and_log
from draftroom.git import Change
from draftroom.tools.commits import CommitOutput, CommitWritten, committed, with_receipts
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import (
    DIRECTORY_SEGMENTS,
    PATH_SEGMENTS,
    Encoding,
    SandboxInput,
    decode_content,
    fit_page,
)
from draftroom.tools.paths import NewPath
from draftroom.tools.versions import REPLACED_BY_V2

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ReadInput(SandboxInput):
    path: str = Field(
        ...,
        min_length=1,
        max_length=4096,
        json_schema_extra=PATH_SEGMENTS,
        description="File path, e.g. 'src/app.py'.",
    )
    ref: str | None = Field(
        None,
        max_length=250,
        description="'main', or a commit of your branch; default: your branch.",
    )
    offset: int = Field(0, ge=0, description="Byte offset to start reading at.")
    length: int | None = Field(
        None, ge=1, description="Bytes to read (capped); default: as much as fits."
    )


class ReadOutput(BaseModel):
    path: str
    content: str
    encoding: Encoding
    size: int = Field(description="Whole file size in bytes.")
    offset: int
    next_offset: int | None = Field(description="Pass as offset to read on; null at the end.")
    truncated: bool = Field(description="True when more of the file follows next_offset.")


def decode_text(data: bytes) -> str | None:
    """The text, or None when it is binary (not UTF-8, or has control characters)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else text


def text_slice(data: bytes) -> str | None:
    """A slice of a text file as text, dropping a character cut in two at its end."""
    for cut in range(4):
        text = decode_text(data[: len(data) - cut])
        if text is not None:
            return text
    return None


@tool(
    "files.read",
    summary="Read a file",
    description=(
        "Reads a file of your branch (or 'main', or one of your commits). Large files come in "
        "slices: when truncated is true, call again with offset=next_offset."
    ),
)
def read(call: Call, sandbox: SandboxAccess, body: ReadInput) -> ReadOutput:
    blob = sandbox.repo.read_file(sandbox.readable_ref(body.ref), body.path)
    cap = call.services.settings.max_read_bytes
    length = min(body.length or cap, cap)
    start = min(body.offset, blob.size)
    chunk = blob.data[start : start + length]
    text = text_slice(chunk) if decode_text(blob.data) is not None else None
    if text is not None:
        chunk = text.encode("utf-8")
        content, encoding = text, "utf-8"
    else:
        content, encoding = base64.b64encode(chunk).decode("ascii"), "base64"
    end = start + len(chunk)
    return ReadOutput(
        path=blob.path,
        content=content,
        encoding=encoding,
        size=blob.size,
        offset=start,
        next_offset=end if end < blob.size else None,
        truncated=end < blob.size,
    )


class ListInput(SandboxInput):
    path: str = Field(
        "",
        max_length=4096,
        json_schema_extra=DIRECTORY_SEGMENTS,
        description="Directory to list; '' for the root.",
    )
    ref: str | None = Field(
        None,
        max_length=250,
        description="'main', or a commit of your branch; default: your branch.",
    )
    recursive: bool = Field(False, description="List everything below path.")
    cursor: str | None = Field(
        None, min_length=1, max_length=4096, description="next_cursor from the previous page."
    )
    limit: int = Field(200, ge=1, le=500)


class Entry(BaseModel):
    path: str
    type: Literal["file", "dir", "symlink", "submodule"]
    size: int | None


class ListOutput(BaseModel):
    entries: list[Entry]
    next_cursor: str | None


@tool(
    "files.list",
    summary="List files",
    description="Lists a directory (or, with recursive, everything below it), in pages: pass next_cursor to go on.",
)
def list_files(call: Call, sandbox: SandboxAccess, body: ListInput) -> ListOutput:
    ref = sandbox.readable_ref(body.ref)

    def fetch(limit: int) -> ListOutput:
        page = sandbox.repo.list_tree(
            ref, body.path, recursive=body.recursive, cursor=body.cursor, limit=limit
        )
        entries = [Entry(path=e.path, type=e.type, size=e.size) for e in page.entries]
        return ListOutput(entries=entries, next_cursor=page.next_cursor)

    return fit_page(fetch, body.limit)


class WriteInput(SandboxInput):
    path: NewPath = Field(
        ...,
        min_length=1,
        max_length=4096,
        json_schema_extra=PATH_SEGMENTS,
        description="File path, e.g. 'src/app.py'.",
    )
    content: str = Field(..., description="The whole new file content.")
    encoding: Encoding = Field("utf-8", description="'utf-8' text, or 'base64' for binary.")
    message: str = Field(..., min_length=1, max_length=2000, description="Commit message: why.")
    expected_head: str | None = Field(
        None, max_length=250, description="Fail if your branch moved past this commit."
    )
    allow_secrets: bool = Field(
        False, description="Commit even if it looks like a secret (audited); only if it is not one."
    )
    _change: Change = PrivateAttr()

    @model_validator(mode="after")
    def _decode(self) -> WriteInput:
        data = decode_content(self.content, self.encoding, self.path)
        self._change = Change(self.path, data, path_checked=True)
        return self

    @property
    def change(self) -> Change:
        """The engine's change for this write, its path already checked."""
        return self._change


@tool(
    "files.write",
    summary="Write a file (one commit)",
    description="Creates or replaces one file as an audited commit on your branch. Undo with git.rollback_commit.",
    writes=True,
    deprecated=REPLACED_BY_V2,
)
def write(call: Call, sandbox: SandboxAccess, body: WriteInput) -> CommitOutput:
    return committed(
        commit_and_log(
            call,
            sandbox,
            [body.change],
            body.message,
            body.expected_head,
            allow_secrets=body.allow_secrets,
        )
    )


@tool(
    "files.write",
    api_version=2,
    summary="Write a file (one commit)",
    description=(
        "Creates or replaces one file as an audited commit on your branch; receipts give the "
        "stored blob_id and size: check them. Undo with git.rollback_commit."
    ),
    writes=True,
)
def write_v2(call: Call, sandbox: SandboxAccess, body: WriteInput) -> CommitWritten:
    return with_receipts(sandbox, write(call, sandbox, body))
