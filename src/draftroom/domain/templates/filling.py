"""Filling a prompt's placeholders: ``{project_name}``, ``{goals}``, ``{open_tasks}``,
``{recent_changes}``, and nothing else.

Never ``str.format``: a prompt is text someone else wrote, and ``format`` would let
``{project_name.__class__}`` or ``{0[...]}`` reach into objects. Here a placeholder is a bare
name from a fixed list, ``{{`` and ``}}`` are literal braces, and anything else in braces is
refused when the template is added (so a stored prompt always fills).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDERS = ("project_name", "goals", "open_tasks", "recent_changes")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def placeholder_problems(text: str) -> list[str]:
    """What keeps ``text`` from filling: unknown placeholders and stray braces."""
    problems = []
    for found in _TOKEN.finditer(text):
        token, name = found.group(0), found.group(1)
        if token in ("{{", "}}"):
            continue
        if name is None:
            problems.append(f"a lone {token!r} at character {found.start()}; write it doubled")
        elif name not in PLACEHOLDERS:
            problems.append(
                f"unknown placeholder {{{name[:40]}}}; use {', '.join(PLACEHOLDERS)} "
                "(or double the braces for literal ones)"
            )
    return problems


def fill_prompt(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each known placeholder replaced by ``values``' entry (missing: '')."""

    def replace(found: re.Match[str]) -> str:
        token, name = found.group(0), found.group(1)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        if name in PLACEHOLDERS:
            return values.get(name, "")
        return token  # left as written: validation refuses these before storage

    return _TOKEN.sub(replace, text)
