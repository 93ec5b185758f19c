"""Sign-in: each ChatGPT or MCP user signs in as a person of an org (OAuth 2.1, Authlib).

Discovery, client registration, the sign-in and consent steps, the token and revocation
endpoints, and the access tokens that make a signed-in ``Principal``. The HTTP adapter
(``adapters.oauth_http``) only renders what these return. Never logs or stores a password,
code or token in plaintext.
"""

from draftroom.domain.signin.authorize import (
    AUTHORIZE_PATH,
    CARRIED,
    Prompt,
    begin,
    decide,
    sign_in,
)
from draftroom.domain.signin.callers import authenticate
from draftroom.domain.signin.clients import IssuedClient, add_client, revoke_client
from draftroom.domain.signin.console import (
    close_console_session,
    csrf_matches,
    csrf_token,
    open_console_session,
)
from draftroom.domain.signin.credentials import (
    ACCESS_PREFIX,
    INVALID_ACCESS_TOKEN,
    SCOPE,
    authenticate_access_token,
    is_access_token,
)
from draftroom.domain.signin.endpoints import (
    REGISTER_PATH,
    RESOURCE_METADATA_PATH,
    REVOKE_PATH,
    SERVER_METADATA_PATH,
    TOKEN_PATH,
    bearer_challenge,
    register,
    resource_metadata,
    revoke,
    server_metadata,
    token,
)
from draftroom.domain.signin.github import (
    CALLBACK_PATH,
    START_PATH,
    github_enabled,
    github_finish,
    github_start,
)
from draftroom.domain.signin.server import Answer, Params

__all__ = [
    "ACCESS_PREFIX",
    "AUTHORIZE_PATH",
    "CALLBACK_PATH",
    "CARRIED",
    "INVALID_ACCESS_TOKEN",
    "REGISTER_PATH",
    "RESOURCE_METADATA_PATH",
    "REVOKE_PATH",
    "SCOPE",
    "SERVER_METADATA_PATH",
    "START_PATH",
    "TOKEN_PATH",
    "Answer",
    "IssuedClient",
    "Params",
    "Prompt",
    "add_client",
    "authenticate",
    "authenticate_access_token",
    "bearer_challenge",
    "begin",
    "close_console_session",
    "csrf_matches",
    "csrf_token",
    "decide",
    "github_enabled",
    "github_finish",
    "github_start",
    "is_access_token",
    "open_console_session",
    "register",
    "resource_metadata",
    "revoke",
    "revoke_client",
    "server_metadata",
    "sign_in",
    "token",
]
