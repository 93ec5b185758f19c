"""Wrong sign-in passwords counted in Redis lock a person out on every node (the real Redis,
a key prefix of the test's own)."""

from __future__ import annotations

import pytest

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.access import hash_password
from draftroom.domain.calls import SharedCounters
from draftroom.domain.signin.people import check_password
from draftroom.errors import RateLimited, Unauthorized
from draftroom.store import Database
from tests.support.nodes import REDIS_URL

PASSWORD = "correct horse battery staple"


def test_wrong_passwords_on_two_nodes_lock_the_email_out_on_both(
    database: Database, redis_prefix: str
) -> None:
    settings = Settings(token_failures_before_lockout=3)
    nodes = [SharedCounters(REDIS_URL, redis_prefix) for _ in range(2)]
    with database.session() as session:
        org = store.get_or_create_org(session, "acme")
        store.add_user(session, org.id, "ada@example.com", "member", "ada", hash_password(PASSWORD))
    for n in range(3):
        with database.session() as session, pytest.raises(Unauthorized):
            check_password(
                session, settings, "ada@example.com", "nope", address=None, counters=nodes[n % 2]
            )
    with database.session() as session, pytest.raises(RateLimited, match="too many wrong"):
        check_password(
            session, settings, "ada@example.com", PASSWORD, address=None, counters=nodes[1]
        )
    with database.session() as session, pytest.raises(Unauthorized):  # another email: not locked
        check_password(session, settings, "bob@example.com", "x", address=None, counters=nodes[0])
