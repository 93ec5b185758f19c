"""Privacy requests at the domain's edge (the CLI's tools, as the data dir's owner): a
person's records come whole and in order, an erasure touches only that person, and an
email that is not in the org is a 404; on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from draftroom import store
from draftroom.domain.privacy import person_records
from draftroom.domain.repos import owner_principal
from draftroom.errors import NotFound
from draftroom.tools import build_registry
from tests.support.api import start_sandbox
from tests.support.people import org_on


def test_records_then_an_erasure_of_one_person_only(database_url: str, tmp_path: Path) -> None:
    with org_on(database_url, tmp_path) as org:
        services = org.services
        ada = org.member("ada@example.com", "member")
        bob = org.member("bob@example.com", "member")
        start_sandbox(ada)
        start_sandbox(bob)
        registry = build_registry()
        owner = owner_principal(services)

        def run(tool: str, **body: object) -> dict[str, object]:
            answer = registry.invoke(registry.get(tool), services, owner, body, transport="cli")
            return answer.model_dump()

        found = run("admin.privacy.export", email="ada@example.com")
        records = list(person_records(services, int(found["user_id"])))  # type: ignore[call-overload]
        assert [r["kind"] for r in records[:2]] == ["profile", "key"]
        assert {r["kind"] for r in records} == {"profile", "key", "sandbox", "audit"}
        erased = run("admin.privacy.erase", email="ada@example.com")
        assert erased["keys_revoked"] == 1 and erased["sandboxes"] == 1
        with pytest.raises(NotFound):  # the email is gone with the person
            run("admin.privacy.erase", email="ada@example.com")
        with services.database.session() as session:
            people = {u.email for u in store.list_users(session, owner.org_id)}
            bobs = session.scalars(
                select(store.AuditEvent).where(store.AuditEvent.tool == "sandbox.init")
            ).all()
        assert "bob@example.com" in people and "ada@example.com" not in people
        assert sum(1 for row in bobs if row.user_id is not None) == 1  # Bob's row untouched
