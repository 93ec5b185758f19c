"""Path fields of tool inputs: the one place a caller's path is checked.

``RepoPath`` runs the git engine's own ``validate_path`` (the rules live there, once);
``WritablePath`` adds the ``.logs/`` rule of ``domain.commits.changes``. The validators
raise the domain's errors, not ``ValueError``: pydantic wraps only ``ValueError`` and
``AssertionError`` into a ``ValidationError`` and lets any other exception through, so a bad
path leaves validation as the same ``InvalidPath`` (400 ``invalid_path``) or ``ReadOnlyPath``
(403 ``read_only_path``), with the same message, whichever adapter validated the body. The
schema's own bounds (``min_length``/``max_length`` on the field) stay 422 ``invalid_request``,
as documented.

Handlers pass such paths on as ``Change(..., path_checked=True)`` (or ``checked=True`` to a
read), so the engine does not check them again.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from draftroom.domain.commits.changes import refuse_log_path
from draftroom.git import validate_path


def _writable(path: str) -> str:
    return refuse_log_path(validate_path(path))


def _dir(path: str) -> str:
    return validate_path(path) if path else path


RepoPath = Annotated[str, AfterValidator(validate_path)]
"""A path that names a tree entry safely (see ``git.paths``)."""
WritablePath = Annotated[str, AfterValidator(_writable)]
"""A ``RepoPath`` a tool may write: never under ``.logs/``."""
DirPath = Annotated[str, AfterValidator(_dir)]
"""A ``RepoPath``, or ``''`` for the root."""
