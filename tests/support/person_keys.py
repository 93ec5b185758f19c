"""People of the default org and API keys acting for them, made straight in the store (as
``draftroom user add`` and ``key create --user`` do)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from draftroom import store
from draftroom.domain.access.tokens import issue_api_key
from draftroom.domain.calls.services import Services
from draftroom.store import PersonRole
from tests.support.api import Api


@dataclass(frozen=True)
class Person:
    email: str
    user_id: int
    key: str

    @property
    def key_id(self) -> str:
        return self.key.split("_")[1]

    def api(self, client: TestClient) -> Api:
        return Api(client, self.key)


def add_person(services: Services, email: str, role: PersonRole, name: str | None = None) -> Person:
    """A person of the default org and a new key acting for them."""
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        user = store.add_user(session, org.id, email, role, name=name)
        _, key = issue_api_key(session, org.id, "person", user_id=user.id)
        return Person(email, user.id, key)
