"""Upstream credentials are encrypted at rest and refused without DRAFTROOM_SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.orgs import prepare_data_dir
from draftroom.domain.upstream import (
    add_github_app_credential,
    add_token_credential,
    open_credential,
)
from draftroom.errors import AlreadyExists, Conflict, DraftroomError, InvalidInput
from tests.support.upstream import make_settings, new_app


def fresh(tmp_path: Path, **overrides: object) -> tuple[Services, int]:
    services = Services(make_settings(tmp_path / "data", **overrides))
    services.settings.data_dir.mkdir(parents=True)
    services.database.migrate()
    with services.database.session() as session:
        org_id = store.get_or_create_org(session, "default").id
    return services, org_id


def test_a_token_is_stored_encrypted_and_opens_again(tmp_path: Path) -> None:
    services, org_id = fresh(tmp_path)
    with services.database.session() as session:
        add_token_credential(services.settings, session, org_id, "gh", "ghp_plaintext_token")
    with services.database.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM upstream_credentials")).all()
    assert "ghp_plaintext_token" not in repr(rows)
    with services.database.session() as session:
        record = session.scalars(select(store.UpstreamCredential)).one()
        opened = open_credential(services.settings, record)
    assert (opened.token, opened.username) == ("ghp_plaintext_token", "x-access-token")
    assert "ghp_plaintext_token" not in repr(opened)


def test_storing_a_credential_without_a_secret_key_is_refused(tmp_path: Path) -> None:
    services, org_id = fresh(tmp_path, secret_key=None)
    with services.database.session() as session, pytest.raises(InvalidInput) as raised:
        add_token_credential(services.settings, session, org_id, "gh", "ghp_x")
    assert "DRAFTROOM_SECRET_KEY" in raised.value.message
    with services.database.session() as session:
        assert session.scalars(select(store.UpstreamCredential)).all() == []


def test_a_changed_secret_key_cannot_open_old_credentials(tmp_path: Path) -> None:
    services, org_id = fresh(tmp_path)
    with services.database.session() as session:
        add_token_credential(services.settings, session, org_id, "gh", "ghp_x")
    other = make_settings(tmp_path / "data", secret_key="another key entirely")
    with services.database.session() as session:
        record = session.scalars(select(store.UpstreamCredential)).one()
        with pytest.raises(DraftroomError, match="add the credential again"):
            open_credential(other, record)


def test_a_github_app_key_must_be_a_pem_private_key(tmp_path: Path) -> None:
    services, org_id = fresh(tmp_path)
    app, _ = new_app()
    with services.database.session() as session:
        with pytest.raises(InvalidInput, match="PEM"):
            add_github_app_credential(services.settings, session, org_id, "app", "1", "not a key")
        add_github_app_credential(services.settings, session, org_id, "app", "1", app.private_key)
        with pytest.raises(AlreadyExists):
            add_token_credential(services.settings, session, org_id, "app", "ghp_x")


def legacy_ciphertext(secret_key: str, plaintext: str) -> str:
    """What the single shared key (before per-org keys) made of ``plaintext``."""
    digest = hashlib.sha256(b"draftroom upstream credentials\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest)).encrypt(plaintext.encode()).decode()


@pytest.fixture
def two_orgs(tmp_path: Path, database_url: str) -> Iterator[tuple[Services, int, int]]:
    services, acme = fresh(tmp_path, database_url=database_url)
    with services.database.session() as session:
        beta = store.add_org(session, "beta").id
    yield services, acme, beta
    services.database.dispose()


def test_a_ciphertext_copied_into_another_orgs_row_does_not_decrypt(
    two_orgs: tuple[Services, int, int],
) -> None:
    services, acme, beta = two_orgs
    with services.database.session() as session:
        theirs = add_token_credential(services.settings, session, acme, "gh", "ghp_acme_only")
        ours = add_token_credential(services.settings, session, beta, "gh", "ghp_beta")
        ours.secret = theirs.secret  # copied across orgs, as a database writer could
    with services.database.session() as session:
        record = store.get_upstream_credential(session, beta, "gh")
        assert record is not None
        with pytest.raises(Conflict, match="cannot be decrypted") as raised:
            open_credential(services.settings, record)
    assert raised.value.status == 409 and "ghp_acme_only" not in raised.value.message


def test_a_legacy_credential_is_rewritten_under_its_orgs_key_at_start(
    two_orgs: tuple[Services, int, int],
) -> None:
    services, acme, _ = two_orgs
    secret_key = services.settings.secret_key
    assert secret_key is not None
    legacy = legacy_ciphertext(secret_key.get_secret_value(), "ghp_from_before")
    with services.database.session() as session:
        store.add_upstream_credential(session, org_id=acme, name="gh", kind="token", secret=legacy)
    assert prepare_data_dir(services).reencrypted == 1
    with services.database.session() as session:
        record = store.get_upstream_credential(session, acme, "gh")
        assert record is not None and record.secret != legacy
        assert open_credential(services.settings, record).token == "ghp_from_before"
    assert prepare_data_dir(services).reencrypted == 0  # once only
