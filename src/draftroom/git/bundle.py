"""Git bundles: one file holding every ref of a repository and the objects they reach.

libgit2 cannot write bundles, so this runs the ``git`` program (``git bundle create`` then
``git bundle verify``); it is needed only by ``org export``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from draftroom.errors import DraftroomError


def write_bundle(gitdir: Path, target: Path) -> bool:
    """Bundle all refs of the repository at ``gitdir`` (``refs/draftroom/*`` too) into
    ``target``, verified; False, writing nothing, when it has no ref to bundle."""
    git = shutil.which("git")
    if git is None:
        raise DraftroomError("exporting repositories needs the git program on PATH")
    listed = _run(git, gitdir, "for-each-ref", "--format=%(refname)")
    if not listed.strip():
        return False
    _run(git, gitdir, "bundle", "create", "--quiet", str(target), "--all")
    _run(git, gitdir, "bundle", "verify", "--quiet", str(target))
    return True


def _run(git: str, gitdir: Path, *args: str) -> str:
    done = subprocess.run(
        [git, "-c", "safe.directory=*", "--git-dir", str(gitdir), *args],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )
    if done.returncode != 0:
        reason = " ".join(done.stderr.split())[:300]
        raise DraftroomError(f"git {args[0]} failed on {gitdir}: {reason}")
    return done.stdout
