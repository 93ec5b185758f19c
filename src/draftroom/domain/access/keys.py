"""An org's API keys as its admins see them: created (a service key or a person's), listed
(never a secret), revoked by id.

A revoked key is refused at once (``authenticate_api_key`` checks ``revoked_at`` on every
call). The org's last live admin key is not revoked: that would leave nobody able to
administer the server over the network (the data dir's owner at the server's shell always
can, as ``draftroom key create --role admin``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access.people import find_person
from draftroom.domain.access.tokens import issue_api_key, revoke_api_key
from draftroom.domain.calls import Call
from draftroom.errors import Conflict, InvalidInput, NotFound


def org_keys(call: Call, session: Session) -> Sequence[store.ApiKey]:
    """The caller's org's keys, revoked ones included, oldest first."""
    return store.list_api_keys(session, call.principal.org_id)


def create_org_key(
    call: Call,
    session: Session,
    role: store.Role | None,
    label: str | None = None,
    user: str | None = None,
) -> tuple[store.ApiKey, str]:
    """A new key of the caller's org (plaintext returned once).

    Without ``user`` a service key (``role`` agent, the default, or admin); with ``user``
    (a live person's email) a key acting for that person: role ``person`` (everything their
    role allows, never more) or ``agent`` (sandbox tools only). No person's key is ``admin``.
    """
    if user is None:
        return issue_api_key(session, call.principal.org_id, role or "agent", label)
    if role not in (None, "agent"):
        raise InvalidInput(
            f"a person's key cannot have role {role!r}: it acts with the person's own role; "
            "omit the role, or give 'agent' for sandbox tools only"
        )
    person = find_person(call, session, user)
    call.audit.detail.update(person_id=person.id)
    return issue_api_key(session, person.org_id, role or "person", label, user_id=person.id)


def revoke_org_key(call: Call, session: Session, key_id: str) -> store.ApiKey:
    """Revoke a key of the caller's org (idempotent); 409 for its last live admin key."""
    key = store.get_api_key(session, key_id)
    if key is None or key.org_id != call.principal.org_id:
        raise NotFound(
            f"no API key with id '{key_id}' in your org; the id is the part after 'drk_' and "
            "before the next '_' (admin.keys.list shows them)",
            key_id=key_id,
        )
    call.audit.detail.update(key_id=key.id, role=key.role)
    if key.role == "admin" and key.revoked_at is None:
        others = [
            k
            for k in store.list_api_keys(session, key.org_id)
            if k.role == "admin" and k.revoked_at is None and k.id != key.id
        ]
        if not others:
            raise Conflict(
                f"API key '{key_id}' is the org's last admin key; create another admin key "
                "first (admin.keys.create), then revoke this one"
            )
    return revoke_api_key(session, key_id)
