"""Who may touch which sandbox: API keys and reuse tokens, the wrong-token lockout, sandbox
branch names, and opening a sandbox for a call (``open_sandbox`` → ``SandboxAccess``).

Never stores or logs a plaintext secret; see ``tokens`` for how secrets are checked.
"""

from draftroom.domain.access.authenticate import MISSING_KEY, Bearer, key_principal, principal_of
from draftroom.domain.access.keys import create_org_key, org_keys, revoke_org_key
from draftroom.domain.access.lockout import (
    FAILED_TOKEN_CODE,
    failure_check,
    retry_after,
    token_check,
)
from draftroom.domain.access.names import new_branch_name
from draftroom.domain.access.owned import latest_own_sandbox, open_callers_sandbox
from draftroom.domain.access.people import (
    Person,
    add_person,
    find_person,
    hash_password,
    normalized_email,
    org_people,
    remove_person,
    set_person_role,
    verify_password,
)
from draftroom.domain.access.renewal import (
    issue_sandbox_token,
    renew_sandbox_token,
    revoke_org_token,
)
from draftroom.domain.access.roles import Scope, holds, needs, scopes
from draftroom.domain.access.sandboxes import (
    ARCHIVE_REF,
    BASE_BRANCH,
    SandboxAccess,
    archived_refusal,
    create_sandbox,
    open_sandbox,
    refuse_named_sandbox,
    repository_record,
)
from draftroom.domain.access.tokens import (
    API_KEY_PREFIX,
    INVALID_API_KEY,
    INVALID_REUSE_TOKEN,
    REUSE_TOKEN_PREFIX,
    authenticate_api_key,
    hash_secret,
    issue_api_key,
    issue_reuse_token,
    looks_like_credential,
    new_credential_id,
    renew_reuse_token,
    reuse_token_id,
    revoke_api_key,
    revoke_reuse_token,
    revoke_sandbox_tokens,
    usable_by,
    verify_reuse_token,
    verify_reuse_token_scope,
    verify_secret,
)

__all__ = [
    "API_KEY_PREFIX",
    "ARCHIVE_REF",
    "BASE_BRANCH",
    "FAILED_TOKEN_CODE",
    "INVALID_API_KEY",
    "INVALID_REUSE_TOKEN",
    "MISSING_KEY",
    "REUSE_TOKEN_PREFIX",
    "Bearer",
    "Person",
    "SandboxAccess",
    "Scope",
    "add_person",
    "archived_refusal",
    "authenticate_api_key",
    "create_org_key",
    "create_sandbox",
    "failure_check",
    "find_person",
    "hash_password",
    "hash_secret",
    "holds",
    "issue_api_key",
    "issue_reuse_token",
    "issue_sandbox_token",
    "key_principal",
    "latest_own_sandbox",
    "looks_like_credential",
    "needs",
    "new_branch_name",
    "new_credential_id",
    "normalized_email",
    "open_callers_sandbox",
    "open_sandbox",
    "org_keys",
    "org_people",
    "principal_of",
    "refuse_named_sandbox",
    "remove_person",
    "renew_reuse_token",
    "renew_sandbox_token",
    "repository_record",
    "retry_after",
    "reuse_token_id",
    "revoke_api_key",
    "revoke_org_key",
    "revoke_org_token",
    "revoke_reuse_token",
    "revoke_sandbox_tokens",
    "scopes",
    "set_person_role",
    "token_check",
    "usable_by",
    "verify_password",
    "verify_reuse_token",
    "verify_reuse_token_scope",
    "verify_secret",
]
