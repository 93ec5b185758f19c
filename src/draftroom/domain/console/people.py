"""The people-and-keys page: the org's people and its API keys, for its owners.

Never a secret: keys are listed by their public id; a new key's plaintext exists only in the
answer of ``admin.keys.create``, which the console shows once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Principal


@dataclass(frozen=True)
class KeyRow:
    key: store.ApiKey
    person: str | None
    """The email of the person the key acts for; None: a service key."""


@dataclass(frozen=True)
class PeopleView:
    people: Sequence[store.User]
    keys: Sequence[KeyRow]
    live_people: Sequence[str]
    """Emails of the people a new key may act for (not removed)."""


def people_and_keys(session: Session, principal: Principal) -> PeopleView:
    """The org's people by email and keys newest first (two queries, whatever the counts)."""
    people = store.list_users(session, principal.org_id)
    emails = {user.id: user.email for user in people}
    keys = store.list_api_keys(session, principal.org_id)
    rows = [KeyRow(key, emails.get(key.user_id) if key.user_id else None) for key in keys]
    return PeopleView(
        people=people,
        keys=rows[::-1],
        live_people=[user.email for user in people if user.removed_at is None],
    )
