"""Path fields of write tools' inputs: where a path to be written is checked, once.

``NewPath`` runs the git engine's own ``validate_new_path`` (the rules for a path a commit
writes: ``git fsck --strict``, Windows and macOS; they live there, once) and adds the
``.logs/`` rule of ``domain.commits``; ``writable_path`` does the same for a change that may
also delete (``validate_path`` then). The validators raise the domain's errors, not ``ValueError``: pydantic wraps only ``ValueError`` and
``AssertionError`` into a ``ValidationError`` and lets any other exception through, so a bad
path leaves validation as the same ``InvalidPath`` (400 ``invalid_path``) or ``ReadOnlyPath``
(403 ``read_only_path``), with the same message as before, whichever adapter validated the
body; no mapping table is needed. The schema's own bounds (``min_length``/``max_length`` on
the field) stay 422 ``invalid_request``, as documented.

Handlers pass such a path on as ``Change(..., path_checked=True)``, so neither the commit
checks nor the engine check it again. Paths a tool only reads are left to the engine, which
checks them as it reads, once, after the sandbox is open (so a refused read is audited with
its sandbox, as before).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from draftroom.domain.commits import refuse_log_path
from draftroom.git import validate_new_path, validate_path


def writable_path(path: str, *, delete: bool = False) -> str:
    """``path`` checked once for a change: written (``validate_new_path``) or deleted."""
    return refuse_log_path(validate_path(path) if delete else validate_new_path(path))


NewPath = Annotated[str, AfterValidator(writable_path)]
"""A path a tool writes: safe on every checkout, never under ``.logs/``."""
