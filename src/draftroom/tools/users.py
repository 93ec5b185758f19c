"""People tools: an org's owner (or its admin key) adds people with a role, lists them and
removes them. A password goes in as a ``SecretStr``: hashed, never returned, echoed or audited.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from draftroom.domain.access import Person, add_person, org_people, remove_person, set_person_role
from draftroom.domain.calls import Call
from draftroom.store import PersonRole
from draftroom.tools.declaration import tool

PATH = "/admin/users"


class AddInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(
        ..., description="Their address (stored in lowercase; at most 320 characters)."
    )
    role: PersonRole = Field(
        ...,
        description=(
            "owner: everything in the org; reviewer: every sandbox and merge request; "
            "member: their own sandboxes."
        ),
    )
    name: str | None = Field(None, max_length=200, description="How to call them.")
    password: SecretStr | None = Field(
        None, description="At least 12 characters; kept only as an argon2id hash."
    )


class PersonOut(BaseModel):
    email: str
    name: str | None
    role: PersonRole
    created_at: datetime
    removed_at: datetime | None = Field(description="Set once removed: their keys stop working.")
    has_password: bool
    live_keys: int = Field(description="How many of their API keys work now.")


def _out(person: Person) -> PersonOut:
    user = person.user
    return PersonOut(
        email=user.email,
        name=user.name,
        role=user.role,
        created_at=user.created_at,
        removed_at=user.removed_at,
        has_password=user.password_hash is not None,
        live_keys=person.live_keys,
    )


@tool(
    "admin.users.add",
    summary="Add a person",
    description=(
        "A person of your org with a role (owner, reviewer or member); 409 if the email is "
        "taken. Give them a key with admin.keys.create and user."
    ),
    scope="admin",
    writes=True,
    created_status=201,
    http_path=PATH,
)
def add(call: Call, sandbox: None, body: AddInput) -> PersonOut:
    password = body.password.get_secret_value() if body.password is not None else None
    with call.services.database.session() as session:
        user = add_person(call, session, body.email, body.role, body.name, password)
        return _out(Person(user, 0))


class ListInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListOutput(BaseModel):
    users: list[PersonOut] = Field(description="The org's people, removed ones too, by email.")


@tool(
    "admin.users.list",
    summary="List people",
    description="The org's people: email, name, role, when added and removed, live keys.",
    scope="admin",
    http_method="GET",
    http_path=PATH,
)
def list_users(call: Call, sandbox: None, body: ListInput) -> ListOutput:
    with call.services.database.session() as session:
        return ListOutput(users=[_out(person) for person in org_people(call, session)])


class RemoveInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(..., min_length=1, max_length=320, description="The person's email.")


@tool(
    "admin.users.remove",
    summary="Remove a person",
    description=(
        "Their keys stop working at once (401); their sandboxes and audit rows keep naming "
        "them. 404 for an email not in your org; 409 last_owner for the org's last owner."
    ),
    scope="admin",
    writes=True,
    idempotent=True,
    http_path=PATH + "/{email}/remove",
)
def remove(call: Call, sandbox: None, body: RemoveInput) -> PersonOut:
    with call.services.database.session() as session:
        person = remove_person(call, session, body.email)
        return _out(person)


class SetInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(..., min_length=1, max_length=320, description="The person's email.")
    role: PersonRole = Field(..., description="Their new role: owner, reviewer or member.")


@tool(
    "admin.users.set",
    summary="Change a person's role",
    description=(
        "Their keys and console sessions act with the new role from their next call. 404 for "
        "an email not in your org (or removed); 409 last_owner for demoting the last owner."
    ),
    scope="admin",
    writes=True,
    idempotent=True,
    http_path=PATH + "/{email}/set",
)
def set_role(call: Call, sandbox: None, body: SetInput) -> PersonOut:
    with call.services.database.session() as session:
        return _out(set_person_role(call, session, body.email, body.role))
