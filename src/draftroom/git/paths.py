"""Validation of repository paths: the only gate between caller input and tree entries.

Every path argument of every read and write passes through ``validate_path``; every path a
commit writes also passes ``validate_new_path``. Nothing here may touch the filesystem, since
paths only ever name entries inside git trees.

The rules are git's own (what ``git fsck --strict`` and ``core.protectHFS``/``protectNTFS``
refuse: ``.git`` spelled with ignorable code points or as an NTFS alias, ``.gitmodules`` in
any spelling, ``.gitattributes`` lines git will not read) plus what breaks a Windows checkout
(reserved device names, ``<>:"|?*``, a trailing dot or space). A tree that breaks one of them
is refused by receivers with ``receive.fsckObjects`` for ever, so they are refused up front.
"""

from __future__ import annotations

import re

from draftroom.errors import InvalidPath

MAX_PATH_BYTES = 4096
MAX_SEGMENT_BYTES = 255
MAX_DEPTH = 128
"""Segments a path may have: deeper trees are no real layout and only strain recursion."""
MAX_GITATTRIBUTES_LINE_BYTES = 2048
"""git ignores (and ``fsck`` flags) a ``.gitattributes`` line longer than this."""

_HFS_IGNORABLE = dict.fromkeys(
    [0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF]
)
"""Code points HFS+ drops when it compares names, so ``.g\u200cit`` opens ``.git``."""
# NTFS ignores trailing dots and spaces and everything after a ':' (an alternate data
# stream), and answers to the 8.3 short name ('GIT~1'); git's is_ntfs_dotgit rules.
_DOTGIT = re.compile(r"(?:\.git|git~1)[. ]*(?::.*)?", re.DOTALL)
_DOTGITMODULES = re.compile(r"(?:\.gitmodules|gitmod~\d+|gi7eba~\d+)[. ]*(?::.*)?", re.DOTALL)
_DOTGITATTRIBUTES = re.compile(r"(?:\.gitattributes|gitatt~\d+|gi7d29~\d+)[. ]*(?::.*)?", re.DOTALL)
_WINDOWS_CHARS = re.compile(r'[<>:"|?*]')
_WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{port}{n}" for port in ("com", "lpt") for n in [*"123456789", "¹", "²", "³"]]
)


def folded(segment: str) -> str:
    """``segment`` as HFS+ and NTFS compare it: ignorable code points dropped, lower case."""
    return segment.translate(_HFS_IGNORABLE).lower()


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
        if _DOTGIT.fullmatch(folded(segment)):
            raise InvalidPath(
                f"path must not contain a '.git' segment, got {path!r}: {segment!r} is '.git' "
                "on macOS (HFS+) or Windows (NTFS), and git refuses it",
                path=path,
            )
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise InvalidPath(
                f"each path segment must be at most {MAX_SEGMENT_BYTES} bytes, got {path!r}",
                path=path,
            )
    return path


def validate_new_path(path: str) -> str:
    """``validate_path``, plus the rules for a path a commit writes (not one it reads).

    Refuses ``.gitmodules`` in any spelling (submodules are a person's decision, made on
    ``main``) and names a Windows checkout cannot create, each with the reason.
    """
    validate_path(path)
    *dirs, _ = segments = path.split("/")
    for segment in dirs:
        if _DOTGITATTRIBUTES.fullmatch(folded(segment)):
            raise InvalidPath(
                f"path {path!r} uses {segment!r} as a directory; git reads '.gitattributes' "
                "as a file and fsck rejects a tree where it is not one",
                path=path,
            )
    for segment in segments:
        if _DOTGITMODULES.fullmatch(folded(segment)):
            raise InvalidPath(
                f"path {path!r} is (or on macOS/Windows opens) '.gitmodules': submodules "
                "cannot be added through draftroom; ask a person to add them on main",
                path=path,
            )
        if found := _WINDOWS_CHARS.search(segment):
            raise InvalidPath(
                f"path {path!r} contains {found.group()!r}, which Windows does not allow in "
                'file names (<>:"|?*); choose another name',
                path=path,
            )
        if segment.endswith((".", " ")):
            raise InvalidPath(
                f"path segment {segment!r} of {path!r} ends in a dot or space, which Windows "
                "drops (it would be another file there); remove it",
                path=path,
            )
        if segment.split(".")[0].rstrip(" ").lower() in _WINDOWS_DEVICES:
            raise InvalidPath(
                f"path segment {segment!r} of {path!r} is a reserved device name on Windows "
                "(CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension); choose another name",
                path=path,
            )
    return path


def validate_new_file(path: str, data: bytes) -> None:
    """Refuse content git's ``fsck`` flags for its path: long ``.gitattributes`` lines."""
    name = path.rsplit("/", 1)[-1]
    if not _DOTGITATTRIBUTES.fullmatch(folded(name)):
        return
    longest = max((len(line) for line in data.split(b"\n")), default=0)
    if longest > MAX_GITATTRIBUTES_LINE_BYTES:
        raise InvalidPath(
            f"{path!r} has a line of {longest} bytes; git ignores .gitattributes lines over "
            f"{MAX_GITATTRIBUTES_LINE_BYTES} bytes and fsck rejects the file: split the line",
            path=path,
        )


def is_within(path: str, other: str) -> bool:
    """True when the two paths name the same entry or one lies under the other."""
    return path == other or path.startswith(other + "/") or other.startswith(path + "/")
