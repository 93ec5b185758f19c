"""A fresh Python environment with plugins installed: the way an operator installs them.

``python -m venv --without-pip``, a ``.pth`` file pointing at the project's code and
dependencies (this test process's), then each plugin project installed with this process's
pip, offline (``--no-deps --no-build-isolation``: the build backend, hatchling, is a test
dependency). The plugins are importable only there: this test process never sees them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import draftroom

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "plugins"
PACKAGES = Path(__file__).resolve().parent / "packages"


def fresh_env(where: Path, *projects: Path) -> Path:
    """A new environment at ``where`` with ``projects`` installed; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    source = Path(draftroom.__file__).resolve().parents[1]
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "draftroom-dev.pth").write_text("\n".join([str(source), *sorted(ours)]) + "\n")
    if projects:
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"),
                *("--no-build-isolation", "--prefix", str(where), *map(str, projects)),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
    return python


def env_vars(**extra: str) -> dict[str, str]:
    """This process's environment without PYTHONPATH or draftroom settings: the fresh
    environment's ``.pth`` says where the code is."""
    kept = {
        k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("DRAFTROOM_")
    }
    return {**kept, **extra}
