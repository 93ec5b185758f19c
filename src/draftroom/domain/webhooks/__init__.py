"""Webhook deliveries from a repository's forge (GitHub, Gitea/Forgejo, GitLab).

``receive_delivery`` verifies one delivery against the secret of the repository it names
(created by ``webhook_setup``), remembers its id so a replay does nothing, and acts on it:
a push to the default branch fetches ``main`` now and tells the sandboxes what people
changed; a push to a sandbox branch checks it for divergence now; a closed pull request
updates the merge request that published it. The HTTP routes only hand over the raw body
and headers. Never acts on, or records, a delivery whose signature did not verify.
"""

from draftroom.domain.webhooks.events import Handled, event_name
from draftroom.domain.webhooks.matching import Named, named_repository, url_key
from draftroom.domain.webhooks.receive import Receipt, receive_delivery
from draftroom.domain.webhooks.registration import (
    WEBHOOK_PATH,
    WebhookSetup,
    forge_of,
    webhook_setup,
)
from draftroom.domain.webhooks.signatures import (
    FORGES,
    SCHEMES,
    Forge,
    Scheme,
    expected_proof,
    proof_matches,
)

__all__ = [
    "FORGES",
    "SCHEMES",
    "WEBHOOK_PATH",
    "Forge",
    "Handled",
    "Named",
    "Receipt",
    "Scheme",
    "WebhookSetup",
    "event_name",
    "expected_proof",
    "forge_of",
    "named_repository",
    "proof_matches",
    "receive_delivery",
    "url_key",
    "webhook_setup",
]
