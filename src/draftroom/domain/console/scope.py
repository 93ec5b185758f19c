"""Whose work a person sees: reviewers and owners see the whole org, members their own."""

from __future__ import annotations

from draftroom.domain.access import holds
from draftroom.domain.calls import Principal


def sees_everyone(principal: Principal) -> bool:
    """Whether ``principal`` sees every person's sandboxes in the org (reviewers, owners)."""
    return holds(principal, "review")
