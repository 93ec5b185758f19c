"""Who a sandbox commit names: its author, its trailers, and how the sandbox tells its own
commits apart from ``main``'s and other sandboxes'.

A call made for a person (a person's key) is authored as that person, with draftroom as the
committer; any other is authored as the sandbox itself (``draftroom (<branch>)``). Every one
carries the ``Draftroom-*`` trailers naming the tool, request, reuse token, API key and
sandbox, so ``git log`` shows who did what for whom. Never a secret in a trailer: key and token
ids are their public halves.
"""

from __future__ import annotations

import re

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call, Principal
from draftroom.git import Identity, LogEntry

TOOL_TRAILER = "Draftroom-Tool"
REQUEST_TRAILER = "Draftroom-Request-Id"
TOKEN_TRAILER = "Draftroom-Token-Id"
KEY_TRAILER = "Draftroom-Key"
SANDBOX_TRAILER = "Draftroom-Sandbox"
_UNSAFE = re.compile(r"[<>\x00-\x1f\x7f]")
"""What a git signature cannot hold (angle brackets end the email; no control characters)."""


def trailers(call: Call, access: SandboxAccess) -> dict[str, str]:
    return {
        TOOL_TRAILER: call.tool,
        REQUEST_TRAILER: call.request_id,
        TOKEN_TRAILER: access.token_id,
        KEY_TRAILER: call.principal.api_key_id,
        SANDBOX_TRAILER: access.branch,
    }


def branch_author(branch: str) -> Identity:
    """The author of the commits a sandbox's tools write for no person (service keys)."""
    return Identity(name=f"draftroom ({branch})", email="draftroom@localhost")


def person_author(principal: Principal) -> Identity | None:
    """The person a call acts for as a git author: their name (else their email's local
    part) and email; None for a service key."""
    email = _UNSAFE.sub("", principal.user_email or "").strip()
    if principal.user_id is None or not email:
        return None
    name = _UNSAFE.sub("", principal.user_name or "").strip()
    return Identity(name=name or email.partition("@")[0] or email, email=email)


def author(call: Call, access: SandboxAccess) -> Identity:
    return person_author(call.principal) or branch_author(access.branch)


def written_by_sandbox(entry: LogEntry, branch: str) -> bool:
    """Whether one of ``branch``'s own tool calls wrote ``entry``: authored as the sandbox, or
    naming it with a reuse token (a person's commit). A squash on ``main`` names the sandbox
    too, but carries no token."""
    if entry.author == branch_author(branch):
        return True
    return entry.trailers.get(SANDBOX_TRAILER) == branch and TOKEN_TRAILER in entry.trailers
