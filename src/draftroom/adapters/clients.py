"""Who the client is: the peer address, or the address a trusted proxy says it forwarded.

``X-Forwarded-For`` is believed only from a peer in ``DRAFTROOM_TRUSTED_PROXIES`` (default
none): anyone else can write that header. Through trusted proxies the client is the
right-most address that is not itself a trusted proxy (entries to its left were written by
the client and prove nothing). The address is what audit rows record (``detail.client``);
no lockout counts by it.
"""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from draftroom.config import IPNetwork


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[IPNetwork, ...]
) -> str | None:
    """The real client's address (see the module docstring); ``peer`` when in doubt."""
    if peer is None or not forwarded_for or not _within(peer, trusted):
        return peer
    client = peer
    for entry in reversed(forwarded_for.split(",")):
        entry = entry.strip()
        try:
            ipaddress.ip_address(entry)
        except ValueError:
            return client  # junk: stop at the last address a trusted hop vouched for
        client = entry
        if not _within(entry, trusted):
            return client
    return client


def _within(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class TrustedProxies:
    """ASGI middleware: ``scope["client"]`` becomes the real client, for every route."""

    def __init__(self, app: ASGIApp, trusted: tuple[IPNetwork, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted and scope.get("client"):
            host = scope["client"][0]
            forwarded = Headers(scope=scope).get("x-forwarded-for")
            real = client_address(host, forwarded, self.trusted)
            if real != host:
                scope["client"] = (real, 0)
        await self.app(scope, receive, send)
