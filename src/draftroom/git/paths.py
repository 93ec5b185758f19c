"""Validation of repository paths: the only gate between caller input and tree entries.

Every path argument of every read and write passes through ``validate_path``; nothing here
may touch the filesystem, since paths only ever name entries inside git trees.
"""

from __future__ import annotations

from draftroom.errors import InvalidPath

MAX_PATH_BYTES = 4096
MAX_SEGMENT_BYTES = 255
MAX_DEPTH = 128
"""Segments a path may have: deeper trees are no real layout and only strain recursion."""


def validate_path(path: str) -> str:
    """Return ``path`` unchanged if it names a tree entry safely, else raise ``InvalidPath``.

    Rejects rather than normalises, so a caller never writes somewhere it did not spell out.
    """
    if not isinstance(path, str):
        raise InvalidPath(f"path must be a string, got {type(path).__name__}")
    if path == "":
        raise InvalidPath("path must not be empty; name a file such as 'docs/notes.md'")
    if path.startswith("/"):
        raise InvalidPath(f"path must be relative, got {path!r}", path=path)
    if "\\" in path:
        raise InvalidPath(f"path must use '/' as separator, got {path!r}", path=path)
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        raise InvalidPath(f"path must not contain control characters, got {path!r}", path=path)
    try:
        encoded = path.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidPath(f"path must be valid UTF-8, got {path!r}", path=path) from None
    if len(encoded) > MAX_PATH_BYTES:
        raise InvalidPath(f"path must be at most {MAX_PATH_BYTES} bytes, got {len(encoded)}")
    segments = path.split("/")
    if len(segments) > MAX_DEPTH:
        raise InvalidPath(
            f"path must have at most {MAX_DEPTH} segments, got {len(segments)}", path=path[:200]
        )
    for segment in segments:
        if segment == "":
            raise InvalidPath(
                f"path must not have empty segments ('//' or a trailing '/'), got {path!r}",
                path=path,
            )
        if segment in (".", ".."):
            raise InvalidPath(
                f"path must not contain '.' or '..' segments, got {path!r}", path=path
            )
        if segment.lower() == ".git":
            raise InvalidPath(f"path must not contain a '.git' segment, got {path!r}", path=path)
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise InvalidPath(
                f"each path segment must be at most {MAX_SEGMENT_BYTES} bytes, got {path!r}",
                path=path,
            )
    return path


def is_within(path: str, other: str) -> bool:
    """True when the two paths name the same entry or one lies under the other."""
    return path == other or path.startswith(other + "/") or other.startswith(path + "/")
