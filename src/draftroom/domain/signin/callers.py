"""Who is calling: the one place a bearer credential (an API key, a signed-in person's access
token, or a console session) becomes a ``Principal``.

Only ``Registry.invoke`` (and the registry's ``admit`` for entry points that are not tool
calls, such as the MCP endpoint and the console's pages) calls ``authenticate``: no adapter
checks a key on its own.
"""

from __future__ import annotations

from draftroom.domain.access import MISSING_KEY, Bearer, key_principal
from draftroom.domain.calls import Principal, Services
from draftroom.domain.signin.console import console_principal, is_console_session
from draftroom.domain.signin.credentials import authenticate_access_token, is_access_token
from draftroom.errors import Unauthorized


def authenticate(services: Services, bearer: Bearer) -> Principal:
    """The principal behind a live API key, a signed-in person's access token (``dra_``) or
    console session (``drc_``), or ``Unauthorized`` (one message per kind of credential)."""
    if bearer.credential is None:
        raise Unauthorized(MISSING_KEY)
    with services.database.session() as session:
        if is_access_token(bearer.credential):
            return authenticate_access_token(session, bearer.credential)
        if is_console_session(bearer.credential):
            return console_principal(session, bearer.credential)
        return key_principal(session, bearer.credential)
