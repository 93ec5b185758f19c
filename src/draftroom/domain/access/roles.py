"""What a key may do: the scopes its role grants, and for a person's key, their role's.

``sandbox`` tools work in sandboxes; ``review`` tools read every sandbox of the org and decide
merge requests; ``admin`` tools manage the org. A person's key never goes beyond the person's
role, and a key created with role ``agent`` holds ``sandbox`` alone whoever it acts for.
"""

from __future__ import annotations

from typing import Literal

from draftroom.domain.calls import Principal

Scope = Literal["sandbox", "review", "admin"]

_ALL: frozenset[Scope] = frozenset({"sandbox", "review", "admin"})
_GRANTS: dict[str, frozenset[Scope]] = {
    "admin": _ALL,
    "owner": _ALL,
    "reviewer": frozenset({"sandbox", "review"}),
    "member": frozenset({"sandbox"}),
    "agent": frozenset({"sandbox"}),
}
_NEEDS: dict[Scope, str] = {
    "sandbox": "an API key",
    "review": "a reviewer's or an admin API key",
    "admin": "an admin API key",
}


def scopes(principal: Principal) -> frozenset[Scope]:
    """Every scope ``principal`` holds."""
    role = principal.person_role if principal.role == "person" else principal.role
    return _GRANTS.get(role or "", frozenset())


def holds(principal: Principal, scope: Scope) -> bool:
    return scope in scopes(principal)


def needs(scope: Scope) -> str:
    """What a caller needs for ``scope``, for the refusal's message."""
    return _NEEDS[scope]
