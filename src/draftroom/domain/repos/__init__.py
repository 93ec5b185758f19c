"""Repositories draftroom serves: registering one, the default set-up of a fresh data dir,
and local mode (one person's own repository driven by a local process).
"""

from draftroom.domain.repos.layout import (
    LEGACY_REPOS_DIR,
    Moved,
    data_dir_lock,
    move_legacy_repositories,
    org_dir,
    org_repos_dir,
)
from draftroom.domain.repos.local import (
    AGENT_KEY_LABEL,
    OWNER_KEY_LABEL,
    SANDBOX_FILE,
    LocalSandbox,
    agent_principal,
    local_data_dir,
    open_local_sandbox,
    owner_principal,
    register_local_repository,
    repository_name,
)
from draftroom.domain.repos.repositories import DEFAULT_README, register_repository
from draftroom.domain.repos.settings import set_repository
from draftroom.domain.repos.setup import DEMO_REPO, setup_default

__all__ = [
    "AGENT_KEY_LABEL",
    "DEFAULT_README",
    "DEMO_REPO",
    "LEGACY_REPOS_DIR",
    "OWNER_KEY_LABEL",
    "SANDBOX_FILE",
    "LocalSandbox",
    "Moved",
    "agent_principal",
    "data_dir_lock",
    "local_data_dir",
    "move_legacy_repositories",
    "open_local_sandbox",
    "org_dir",
    "org_repos_dir",
    "owner_principal",
    "register_local_repository",
    "register_repository",
    "repository_name",
    "set_repository",
    "setup_default",
]
