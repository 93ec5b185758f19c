"""The error hierarchy every layer raises, and its stable codes.

Adapters turn any ``DraftroomError`` into ``{"error": {"code", "message", "details"}}``
with ``status`` as the HTTP status (MCP maps the same classes to tool errors).
Domain and git code raise only these; never ``HTTPException``.

One status per class: only the direct children of ``DraftroomError`` set ``status``; every
deeper class inherits its parent's, so ``except Forbidden`` catches exactly the 403s and a
subclass never answers with a status its family does not have. ``code`` is unique per class.
(``tests/test_errors.py`` holds the tree to both.)

DraftroomError (500 internal_error)
├── InvalidInput (400 invalid_input)
│   ├── InvalidPath (400 invalid_path)
│   ├── InvalidRef (400 invalid_ref)
│   ├── EmptyChangeSet (400 empty_change_set)
│   └── InvalidJson (400 invalid_json)
├── Unauthorized (401 unauthorized)
│   ├── TokenExpired (401 token_expired)
│   ├── TokenRevoked (401 token_revoked)
│   └── InvalidSignature (401 invalid_signature)
├── Forbidden (403 forbidden)
│   ├── BranchNotAllowed (403 branch_not_allowed)
│   ├── RepoNotAllowed (403 repo_not_allowed)
│   ├── InsufficientScope (403 insufficient_scope)
│   ├── TokenRequired (403 token_required)
│   ├── ReadOnlyMode (403 read_only)
│   ├── ToolsetNotLoaded (403 toolset_not_loaded)
│   ├── ReadOnlyPath (403 read_only_path)
│   ├── SelfApproval (403 self_approval)
│   └── CommitRefused (403 commit_refused)
├── NotFound (404 not_found)
│   ├── RepoNotFound (404 repo_not_found)
│   ├── RefNotFound (404 ref_not_found)
│   ├── PathNotFound (404 path_not_found)
│   └── CommitNotFound (404 commit_not_found)
├── Conflict (409 conflict)
│   ├── StaleHead (409 stale_head)
│   ├── RevertConflict (409 revert_conflict)
│   ├── MergeConflict (409 merge_conflict)
│   ├── AlreadyExists (409 already_exists)
│   ├── InvalidTransition (409 invalid_transition)
│   ├── IdempotencyInProgress (409 idempotency_in_progress)
│   └── LastOwner (409 last_owner)
├── PayloadTooLarge (413 payload_too_large)
├── Unprocessable (422 unprocessable)
│   ├── InvalidRequest (422 invalid_request)
│   ├── WorkspaceFileInvalid (422 workspace_file_invalid)
│   ├── SecretDetected (422 secret_detected)
│   ├── TemplateInvalid (422 template_invalid)
│   └── IdempotencyKeyReused (422 idempotency_key_reused)
├── RateLimited (429 rate_limited)
│   └── QuotaExceeded (429 quota_exceeded)
├── UpstreamUnavailable (502 upstream_unavailable)
├── ServiceUnavailable (503 service_unavailable)
├── MethodNotAllowed (405 method_not_allowed)
└── PluginError (500 plugin_error)
"""

from __future__ import annotations

from typing import Any, ClassVar


class DraftroomError(Exception):
    """Base of every error we raise on purpose; ``details`` is JSON-safe extra context."""

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(DraftroomError):
    code = "invalid_input"
    status = 400


class InvalidPath(InvalidInput):
    code = "invalid_path"


class InvalidRef(InvalidInput):
    code = "invalid_ref"


class EmptyChangeSet(InvalidInput):
    code = "empty_change_set"


class InvalidJson(InvalidInput):
    """A request body (a webhook delivery) that is not the JSON object it must be."""

    code = "invalid_json"


class Unauthorized(DraftroomError):
    code = "unauthorized"
    status = 401


class TokenExpired(Unauthorized):
    code = "token_expired"


class TokenRevoked(Unauthorized):
    code = "token_revoked"


class InvalidSignature(Unauthorized):
    """A webhook delivery whose signature (or token) no registered secret matches."""

    code = "invalid_signature"


class Forbidden(DraftroomError):
    code = "forbidden"
    status = 403


class BranchNotAllowed(Forbidden):
    code = "branch_not_allowed"


class RepoNotAllowed(Forbidden):
    code = "repo_not_allowed"


class InsufficientScope(Forbidden):
    code = "insufficient_scope"


class TokenRequired(Forbidden):
    """A call names an existing sandbox without its reuse token (never a silent new one)."""

    code = "token_required"


class ReadOnlyMode(Forbidden):
    """A write tool called on a read-only MCP server or schema (``--read-only``)."""

    code = "read_only"


class ToolsetNotLoaded(Forbidden):
    """A tool outside the toolsets this MCP server or schema was started with."""

    code = "toolset_not_loaded"


class ReadOnlyPath(Forbidden):
    """A write under ``.logs/``, which only draftroom itself writes."""

    code = "read_only_path"


class SelfApproval(Forbidden):
    """An approval by the person (or service key) who asked, where the repository requires
    another reviewer."""

    code = "self_approval"


class CommitRefused(Forbidden):
    """A plugin's ``before_commit`` policy refused the change set; ``details`` names the
    plugin and its reason. Nothing was written."""

    code = "commit_refused"


class NotFound(DraftroomError):
    code = "not_found"
    status = 404


class RepoNotFound(NotFound):
    code = "repo_not_found"


class RefNotFound(NotFound):
    code = "ref_not_found"


class PathNotFound(NotFound):
    code = "path_not_found"


class CommitNotFound(NotFound):
    code = "commit_not_found"


class Conflict(DraftroomError):
    code = "conflict"
    status = 409


class StaleHead(Conflict):
    """The branch moved and a commit in between touched the same paths."""

    code = "stale_head"


class RevertConflict(Conflict):
    code = "revert_conflict"


class MergeConflict(Conflict):
    code = "merge_conflict"


class AlreadyExists(Conflict):
    code = "already_exists"


class InvalidTransition(Conflict):
    """A task cannot move from its status to the one asked for (e.g. done -> doing)."""

    code = "invalid_transition"


class IdempotencyInProgress(Conflict):
    """The first call with this ``Idempotency-Key`` is still running: retry in a moment."""

    code = "idempotency_in_progress"


class LastOwner(Conflict):
    """The change would leave the org with no owner: make someone else owner first."""

    code = "last_owner"


class PayloadTooLarge(DraftroomError):
    code = "payload_too_large"
    status = 413


class Unprocessable(DraftroomError):
    code = "unprocessable"
    status = 422


class InvalidRequest(Unprocessable):
    """The body does not match the tool's schema (a missing field, a wrong type)."""

    code = "invalid_request"


class WorkspaceFileInvalid(Unprocessable):
    code = "workspace_file_invalid"


class SecretDetected(Unprocessable):
    """A commit would add something that looks like a credential (see ``secret_scan``)."""

    code = "secret_detected"


class TemplateInvalid(Unprocessable):
    """A template (``template.yaml`` and its files) breaks a rule; ``details.problems`` lists
    every problem found, each naming what to fix."""

    code = "template_invalid"


class IdempotencyKeyReused(Unprocessable):
    """An ``Idempotency-Key`` sent again with a different request than its first use."""

    code = "idempotency_key_reused"


class RateLimited(DraftroomError):
    code = "rate_limited"
    status = 429


class QuotaExceeded(RateLimited):
    """A standing quota (sandboxes per API key) rather than a rate that frees up by itself."""

    code = "quota_exceeded"


class UpstreamUnavailable(DraftroomError):
    """A git remote or the GitHub API refused or did not answer; local work is unaffected."""

    code = "upstream_unavailable"
    status = 502


class ServiceUnavailable(DraftroomError):
    """A service every node shares (Redis) did not answer; nothing was written: retry."""

    code = "service_unavailable"
    status = 503


class MethodNotAllowed(DraftroomError):
    """The path exists but not for this HTTP method; ``details["allow"]`` lists the ones it takes."""

    code = "method_not_allowed"
    status = 405


class PluginError(DraftroomError):
    """An installed plugin raised (its tool or a hook that decides): this call failed, the
    server goes on. The traceback is logged under the call's request id."""

    code = "plugin_error"
    status = 500
