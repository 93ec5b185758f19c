"""What the console shows: read models of sandboxes, merge requests, people, failures and
audit, each scoped to the signed-in person's org and role.

Reads only: the console's buttons run tools through ``Registry.invoke``.
"""

from draftroom.domain.console.scope import sees_everyone

__all__ = ["sees_everyone"]
