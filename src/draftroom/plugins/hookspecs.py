"""The hooks a plugin may implement (with ``@hookimpl``, by the hook's name). Each
docstring is the hook's reference: ``docs/plugins.md`` repeats them, and a test keeps both
in step.

``ctx`` is a ``PluginContext``: ``repo_name``, ``branch``, ``read(path)``, ``list(path)``,
``commit(changes, message)`` on the sandbox the call opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pluggy

from draftroom.plugins.api import PROJECT, FileChange
from draftroom.plugins.context import PluginContext

hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def before_commit(ctx: PluginContext, changes: Sequence[FileChange]) -> str | None:
    """Before any commit on a sandbox branch (a write, a commit, a rollback, a restore):
    return a reason to refuse it (403 ``commit_refused``, the reason in the message, nothing
    written), or None to let it through."""


@hookspec
def after_commit(ctx: PluginContext, sha: str, files: Sequence[str]) -> None:
    """After a commit landed on a sandbox branch: ``sha`` and the paths it changed."""


@hookspec
def on_merge_request(ctx: PluginContext, merge_request: dict[str, Any]) -> None:
    """After a merge request was opened: ``{id, branch, title, source_sha}``."""


@hookspec
def on_tool_error(tool: str, code: str, message: str, request_id: str) -> None:
    """After any tool call failed: the tool's name, the error's code and message, and the
    request id the caller was given."""


@hookspec
def register_templates() -> Sequence[str | Path]:
    """Directories of templates the plugin ships (returned by ``PluginHost.template_dirs``)."""
    return ()
