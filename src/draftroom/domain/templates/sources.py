"""Reading a template from where it comes from: a directory, or a git repository by URL.

A directory is read without following any link: a symlink is reported as one (and refused
by ``build_template``), never read through, and the ``files`` directory must lie inside the
template. Reading stops past the limits, so an oversized source is never read whole. A git
URL is cloned bare into a temporary directory (removed after) and read from its HEAD.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from draftroom.domain.templates.manifest import MANIFEST, MAX_MANIFEST_BYTES, Problems
from draftroom.domain.templates.template import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TOTAL_BYTES,
    Template,
    build_template,
    check_files_dir,
    invalid,
)
from draftroom.domain.workspace import load_yaml
from draftroom.errors import DraftroomError, InvalidInput
from draftroom.git import SnapshotFile, check_url, clone_bare, snapshot_files


def is_git_url(source: str) -> bool:
    return "://" in source or (source.startswith("git@") and ":" in source)


def read_source(source: str, origin: str) -> Template:
    """The template at ``source``: a directory holding ``template.yaml``, a bare git
    repository's path, or a git URL (https, ssh, file)."""
    path = Path(source)
    if not is_git_url(source):
        if (path / MANIFEST).exists() or (path / MANIFEST).is_symlink():
            return read_directory(path, origin)
        if (path / "HEAD").is_file() and (path / "objects").is_dir():
            return read_git(str(path.resolve()), origin)
        raise InvalidInput(
            f"{source!r} is neither a directory holding {MANIFEST} nor a git repository; "
            "give a template directory or a git URL"
        )
    return read_git(check_url(source), origin)


def read_git(url: str, origin: str) -> Template:
    with tempfile.TemporaryDirectory(prefix="draftroom-template-") as scratch:
        gitdir = Path(scratch) / "clone.git"
        clone_bare(url, gitdir, None)
        try:
            entries = snapshot_files(gitdir, "HEAD", MAX_FILES + 50, MAX_TOTAL_BYTES + 2**20)
        except DraftroomError as exc:
            too_large = f"the repository is too large for a template: {exc.message}"
            raise invalid(Problems([too_large])) from None
    return from_entries(entries, origin)


def from_entries(entries: list[SnapshotFile], origin: str) -> Template:
    """A template from a whole tree's entries (a clone or a stored version)."""
    problems = Problems()
    manifest = next((e for e in entries if e.path == MANIFEST), None)
    if manifest is None or manifest.kind not in ("file", "executable"):
        raise invalid(Problems([f"{MANIFEST} is missing at the top of the repository"]))
    files_dir = _files_dir(manifest.data)
    if not check_files_dir(files_dir, problems):
        return build_template(manifest.data, [], origin, problems)
    prefix = files_dir + "/"
    inside = [
        SnapshotFile(e.path[len(prefix) :], e.kind, e.data, e.size)
        for e in entries
        if e.path.startswith(prefix)
    ]
    return build_template(manifest.data, inside, origin, problems)


def read_directory(root: Path, origin: str) -> Template:
    problems = Problems()
    manifest_path = root / MANIFEST
    info = manifest_path.lstat()
    if not stat.S_ISREG(info.st_mode):
        raise invalid(Problems([f"{MANIFEST} must be a regular file, not a link or directory"]))
    if info.st_size > MAX_MANIFEST_BYTES:
        raise invalid(
            Problems([f"{MANIFEST} is {info.st_size} bytes; at most {MAX_MANIFEST_BYTES}"])
        )
    manifest = manifest_path.read_bytes()
    files_dir = _files_dir(manifest)
    entries: list[SnapshotFile] = []
    if check_files_dir(files_dir, problems):
        entries = _walk_files(root, files_dir, problems)
    return build_template(manifest, entries, origin, problems)


def _files_dir(manifest: bytes) -> str:
    """The manifest's ``files`` value ('files' when absent or unreadable: its parse, in
    ``build_template``, reports the problem)."""
    try:
        raw = load_yaml(MANIFEST, manifest.decode("utf-8"))
    except (DraftroomError, UnicodeDecodeError):
        return "files"
    value = raw.get("files") if isinstance(raw, dict) else None
    return value.strip().rstrip("/") if isinstance(value, str) and value.strip() else "files"


def _walk_files(root: Path, files_dir: str, problems: Problems) -> list[SnapshotFile]:
    """Entries under ``root/files_dir`` by their path there; links reported, not followed."""
    top = root
    for part in files_dir.split("/"):
        top = top / part
        if top.is_symlink():
            problems.add(f"{files_dir}/ is reached through the symbolic link {part!r}")
            return []
    if not top.is_dir():
        return []  # a template may have no files
    found: list[SnapshotFile] = []
    total = 0
    for here, dirs, names in os.walk(top, followlinks=False):
        dirs.sort()
        for name in sorted(names) + [d for d in dirs if (Path(here) / d).is_symlink()]:
            full = Path(here) / name
            relative = full.relative_to(top).as_posix()
            entry = _entry(full, relative)
            total += entry.size
            found.append(entry)
            if len(found) > MAX_FILES or total > MAX_TOTAL_BYTES:
                return found  # build_template names the limit; the rest is never read
    return found


def _entry(full: Path, relative: str) -> SnapshotFile:
    info = full.lstat()
    if stat.S_ISLNK(info.st_mode):
        return SnapshotFile(relative, "symbolic link", b"", 0)
    if not stat.S_ISREG(info.st_mode):
        return SnapshotFile(relative, "special file", b"", 0)
    kind = "executable" if info.st_mode & stat.S_IXUSR else "file"
    data = full.read_bytes() if info.st_size <= MAX_FILE_BYTES else b""
    return SnapshotFile(relative, kind, data, info.st_size)
