"""Upstream credentials: stored encrypted, opened only at the moment git or GitHub needs them.

Each org's key is derived from ``DRAFTROOM_SECRET_KEY`` with HKDF and the org's id; without
the secret key nothing is stored. A plaintext
secret lives only in memory, only as long as one network call needs it, and must never be
logged, put in an error message, written to the audit log or returned by any API.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from sqlalchemy.orm import Session

from draftroom import store
from draftroom.config import Settings
from draftroom.errors import Conflict, InvalidInput, NotFound

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]{0,62}\.?)*(?<!\.)$")
_HKDF_INFO = b"draftroom upstream credentials org:"
"""HKDF's info for an org's key, followed by the org's id (decimal)."""
_WEBHOOK_INFO = b"draftroom webhook secrets org:"
"""The same for webhook secrets: a key of their own, so neither ciphertext opens as the other."""
DEFAULT_USERNAME = "x-access-token"  # what GitHub expects next to a token over https


@dataclass(frozen=True)
class GitHubApp:
    """A GitHub App's identity: its id, private key (PEM) and, when known, installation id."""

    app_id: str
    private_key: str
    installation_id: str | None


@dataclass(frozen=True)
class OpenedCredential:
    """A decrypted credential: a token (with its https username) or a GitHub App."""

    name: str
    username: str
    token: str | None = None
    app: GitHubApp | None = None

    def __repr__(self) -> str:  # keeps the secret out of tracebacks and logs
        return f"OpenedCredential(name={self.name!r}, kind={'app' if self.app else 'token'})"


@dataclass(frozen=True)
class CredentialInfo:
    """What may be shown about a credential: never its secret, username or key."""

    name: str
    kind: store.CredentialKind
    host: str | None
    created_at: datetime
    used_by: list[str]


def list_credentials(session: Session, org_id: int) -> list[CredentialInfo]:
    """The org's credentials by name, with the repositories that use each."""
    return [
        CredentialInfo(
            record.name,
            record.kind,
            record.host,
            record.created_at,
            store.repositories_using_credential(session, record.id),
        )
        for record in store.list_upstream_credentials(session, org_id)
    ]


def remove_credential(session: Session, org_id: int, name: str) -> None:
    """Delete a credential no repository uses; a used one would silently unauthenticate it."""
    record = store.get_upstream_credential(session, org_id, name)
    if record is None:
        raise NotFound(f"no credential named {name!r}; see 'draftroom credential list'")
    used_by = store.repositories_using_credential(session, record.id)
    if used_by:
        raise Conflict(
            f"credential {name!r} is still used by {', '.join(used_by)}: without it their "
            "pushes and fetches would stop; it can be removed once no repository uses it",
            repositories=used_by,
        )
    store.delete_upstream_credential(session, record)


def _secret(settings: Settings) -> bytes:
    if settings.secret_key is None or not settings.secret_key.get_secret_value():
        raise InvalidInput(
            "set DRAFTROOM_SECRET_KEY (any long random string, kept secret and stable) "
            "before storing or using upstream credentials"
        )
    return settings.secret_key.get_secret_value().encode()


def _fernet(settings: Settings, org_id: int, info: bytes = _HKDF_INFO) -> Fernet:
    """Org ``org_id``'s own key: HKDF-SHA256 of the secret key, its info naming the org, so
    a ciphertext copied into another org's row does not decrypt there."""
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"%s%d" % (info, org_id))
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(_secret(settings))))


def _legacy_fernet(settings: Settings) -> Fernet:
    """The one key every org shared before per-org keys: only ``reencrypt_legacy`` uses it."""
    digest = hashlib.sha256(b"draftroom upstream credentials\0" + _secret(settings)).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def reencrypt_legacy(settings: Settings, session: Session) -> int:
    """Re-encrypt under its org's key every credential stored under the legacy shared key;
    how many were. Nothing without a secret key; ciphertexts neither key opens are left.

    Run at start only (``domain.orgs.prepare_data_dir``), never at use: a use-time fallback
    would let a legacy ciphertext copied into another org's row decrypt there.
    """
    if settings.secret_key is None or not settings.secret_key.get_secret_value():
        return 0
    rewritten = 0
    legacy = _legacy_fernet(settings)
    for record in store.all_upstream_credentials(session):
        own = _fernet(settings, record.org_id)
        try:
            own.decrypt(record.secret.encode())
            continue
        except InvalidToken:
            pass
        try:
            plaintext = legacy.decrypt(record.secret.encode())
        except InvalidToken:
            continue
        record.secret = own.encrypt(plaintext).decode()
        rewritten += 1
    return rewritten


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise InvalidInput(f"credential name {name!r} must be 1-100 letters, digits, '.', '_', '-'")


def add_token_credential(
    settings: Settings,
    session: Session,
    org_id: int,
    name: str,
    token: str,
    username: str | None = None,
    host: str | None = None,
) -> store.UpstreamCredential:
    """Store a personal access token (or any https password) encrypted, bound to ``host``:
    the only host it is ever sent to (when None, the first repository added with it binds it)."""
    _check_name(name)
    if not token.strip():
        raise InvalidInput("the token is empty; paste the whole token")
    if host is not None:
        host = host.strip().lower().rstrip(".")
        if len(host) > 253 or not _HOST.match(host):
            raise InvalidInput(f"host must be a host name such as 'github.com', got {host!r}")
    ciphertext = _fernet(settings, org_id).encrypt(token.strip().encode()).decode()
    return store.add_upstream_credential(
        session,
        org_id=org_id,
        name=name,
        kind="token",
        secret=ciphertext,
        username=username,
        host=host,
    )


def add_github_app_credential(
    settings: Settings,
    session: Session,
    org_id: int,
    name: str,
    app_id: str,
    private_key: str,
    installation_id: str | None = None,
) -> store.UpstreamCredential:
    """Store a GitHub App's private key encrypted; the key is checked to be an RSA PEM first."""
    _check_name(name)
    if not app_id.isdigit():
        raise InvalidInput(f"GitHub App id must be a number, got {app_id!r}")
    if installation_id is not None and not installation_id.isdigit():
        raise InvalidInput(f"installation id must be a number, got {installation_id!r}")
    try:
        load_pem_private_key(private_key.encode(), password=None)
    except (ValueError, TypeError):
        raise InvalidInput(
            "the private key file is not an unencrypted PEM key; download it again from the "
            "GitHub App's settings page"
        ) from None
    ciphertext = _fernet(settings, org_id).encrypt(private_key.encode()).decode()
    return store.add_upstream_credential(
        session,
        org_id=org_id,
        name=name,
        kind="github_app",
        secret=ciphertext,
        app_id=app_id,
        installation_id=installation_id,
    )


def open_credential(settings: Settings, record: store.UpstreamCredential) -> OpenedCredential:
    """Decrypt ``record`` for one use."""
    try:
        plaintext = _fernet(settings, record.org_id).decrypt(record.secret.encode()).decode()
    except InvalidToken:
        raise Conflict(
            f"credential {record.name!r} cannot be decrypted: DRAFTROOM_SECRET_KEY changed "
            "since it was stored, or it was not stored for this org; add the credential again"
        ) from None
    username = record.username or DEFAULT_USERNAME
    if record.kind == "github_app":
        assert record.app_id is not None
        app = GitHubApp(record.app_id, plaintext, record.installation_id)
        return OpenedCredential(record.name, username, app=app)
    return OpenedCredential(record.name, username, token=plaintext)


def seal_webhook_secret(settings: Settings, org_id: int, secret: str) -> str:
    """``secret`` encrypted under org ``org_id``'s webhook key (what is stored)."""
    return _fernet(settings, org_id, _WEBHOOK_INFO).encrypt(secret.encode()).decode()


def open_webhook_secret(settings: Settings, org_id: int, ciphertext: str) -> str | None:
    """The plaintext of a stored webhook secret; None when it no longer decrypts (the
    secret key changed): the repository then takes no delivery until its secret is renewed."""
    try:
        return _fernet(settings, org_id, _WEBHOOK_INFO).decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        return None
