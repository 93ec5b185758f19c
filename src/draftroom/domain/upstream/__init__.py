"""Upstreams: a repository's local bare copy mirrors a git remote (GitHub or any other).

The engine writes locally for speed and safety; this package makes that copy a faithful,
durable mirror: clone (``connect``), push-through from a database outbox (``outbox``),
scheduled fetch of ``main`` (``fetch``), divergence resolution (``resolve``), publishing of
approved merges (``publish``), GitHub auth and pull requests (``github``), encrypted
credentials (``credentials``) and the background loop (``worker``). A network failure here
must never fail or undo a local commit.
"""

from draftroom.domain.upstream.connect import add_upstream_repository
from draftroom.domain.upstream.credentials import (
    CredentialInfo,
    GitHubApp,
    add_github_app_credential,
    add_token_credential,
    list_credentials,
    open_credential,
    open_webhook_secret,
    reencrypt_legacy,
    remove_credential,
    seal_webhook_secret,
)
from draftroom.domain.upstream.fetch import FetchOutcome, fetch_main, reconcile
from draftroom.domain.upstream.github import GitHubClient, InstallationTokens, github_repo
from draftroom.domain.upstream.outbox import PushOutcome, drain, enqueue_commit, push_now
from draftroom.domain.upstream.publish import PublishResult, publish_approved
from draftroom.domain.upstream.resolve import Resolution, resolve_divergence
from draftroom.domain.upstream.status import (
    MainStatus,
    MainUpstreamState,
    UpstreamState,
    UpstreamStatus,
    main_status,
    sandbox_upstream_status,
    upstream_status,
)
from draftroom.domain.upstream.worker import (
    AfterFetch,
    SyncReport,
    UpstreamWorker,
    sync_repository,
    with_upstream_worker,
)

__all__ = [
    "AfterFetch",
    "CredentialInfo",
    "FetchOutcome",
    "GitHubApp",
    "GitHubClient",
    "InstallationTokens",
    "MainStatus",
    "MainUpstreamState",
    "PublishResult",
    "PushOutcome",
    "Resolution",
    "SyncReport",
    "UpstreamState",
    "UpstreamStatus",
    "UpstreamWorker",
    "add_github_app_credential",
    "add_token_credential",
    "add_upstream_repository",
    "drain",
    "enqueue_commit",
    "fetch_main",
    "github_repo",
    "list_credentials",
    "main_status",
    "open_credential",
    "open_webhook_secret",
    "publish_approved",
    "push_now",
    "reconcile",
    "reencrypt_legacy",
    "remove_credential",
    "resolve_divergence",
    "sandbox_upstream_status",
    "seal_webhook_secret",
    "sync_repository",
    "upstream_status",
    "with_upstream_worker",
]
