"""Taking one delivery: size, JSON, which repository, signature, replay, then the event.

The secret is per repository, so the repository comes first, from the payload; nothing is
acted on or recorded before the signature checks out. Order and answers:

1. a body over ``webhook_max_bytes``: 413; not a JSON object: 400 ``invalid_json``; no
   repository named in it: 400;
2. no upstream with a webhook secret matches what it names: 404 ``not_found``, one message
   for every such case (a repository that does not exist, has no upstream, has no webhook
   secret, or belongs to no org you know of look the same);
3. no candidate's secret verifies the proof (or the proof header is missing): 401
   ``invalid_signature``, nothing recorded;
4. a delivery id the repository already took: 200 ``replayed``, nothing done again;
5. otherwise the event is handled (``events``) and the delivery remembered. A failure
   forgets it again, so the forge's redelivery is taken.

Step 2 tells a stranger whether some registered repository has that URL (a public forge
address), never which org holds it or anything in it; everything past it needs the secret.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.upstream import open_webhook_secret
from draftroom.domain.webhooks.events import Handled, event_name, handle
from draftroom.domain.webhooks.matching import named_repository
from draftroom.domain.webhooks.signatures import SCHEMES, Forge, header, proof_matches
from draftroom.errors import InvalidInput, InvalidJson, InvalidSignature, NotFound, PayloadTooLarge

KEEP_DELIVERIES = timedelta(days=30)
UNKNOWN = (
    "no repository here takes webhook deliveries for the repository this payload names; an "
    "admin runs 'draftroom repo webhook NAME' and pastes its URL and secret into the forge"
)


@dataclass(frozen=True)
class Receipt:
    """The answer to the forge: what was done (``replayed``: nothing, seen before)."""

    forge: Forge
    event: str
    delivery: str
    replayed: bool
    handled: Handled | None = None

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"forge": self.forge, "event": self.event}
        found |= {"delivery": self.delivery, "replayed": self.replayed}
        if self.handled is not None:
            found |= {"action": self.handled.action, **self.handled.detail}
        return found


def _payload(services: Services, body: bytes) -> dict[str, Any]:
    limit = services.settings.webhook_max_bytes
    if len(body) > limit:
        raise PayloadTooLarge(
            f"webhook delivery is {len(body)} bytes; the limit is {limit} "
            "(DRAFTROOM_WEBHOOK_MAX_BYTES)",
            limit=limit,
        )
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise InvalidJson(
            "the delivery body is not JSON; set the webhook's content type to application/json"
        ) from None
    if not isinstance(payload, dict):
        raise InvalidJson("the delivery body must be a JSON object")
    return payload


def _verified(
    services: Services, forge: Forge, headers: Mapping[str, str], body: bytes, payload: Any
) -> int:
    """The id of the one repository whose secret signed ``body``."""
    named = named_repository(payload)
    if not named:
        raise InvalidInput("the delivery names no repository ('repository' or 'project')")
    with services.database.session() as session:
        candidates = [
            (u.repository_id, u.repository.org_id, u.webhook_secret)
            for u in store.upstreams_with_webhooks(session)
            if named.matches(u.url)
        ]
    if not candidates:
        raise NotFound(UNKNOWN)
    proof = header(headers, SCHEMES[forge].proof)
    refused = InvalidSignature(
        f"the {SCHEMES[forge].proof} header does not match this delivery signed with the "
        "repository's webhook secret; paste the secret 'draftroom repo webhook NAME' prints"
    )
    if proof is None:
        raise refused
    for repository_id, org_id, sealed in candidates:
        assert sealed is not None
        secret = open_webhook_secret(services.settings, org_id, sealed)
        if secret is not None and proof_matches(forge, proof, secret, body):
            return repository_id
    raise refused


def receive_delivery(
    services: Services, forge: Forge, headers: Mapping[str, str], body: bytes
) -> Receipt:
    """Verify and act on one delivery from ``forge`` (see the module docstring)."""
    payload = _payload(services, body)
    repository_id = _verified(services, forge, headers, body, payload)
    scheme = SCHEMES[forge]
    event = event_name(forge, header(headers, scheme.event), payload)
    named = next((v for name in scheme.delivery if (v := header(headers, name))), None)
    delivery = (named or "sha256:" + hashlib.sha256(body).hexdigest())[:100]
    with services.database.session() as session:
        store.forget_deliveries_before(session, store.utc_now() - KEEP_DELIVERIES)
        row = store.claim_delivery(session, repository_id, forge, delivery, event)
    if row is None:
        return Receipt(forge, event, delivery, replayed=True)
    try:
        handled = handle(services, repository_id, forge, event, payload)
    except BaseException:
        with services.database.session() as session:
            store.release_delivery(session, row)
        raise
    return Receipt(forge, event, delivery, replayed=False, handled=handled)
