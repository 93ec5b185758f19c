"""The audit trail's own tools: verify its chain, checkpoint it into git, export it; and
privacy requests (a person's records, their erasure).

``admin.audit.export`` checks and records the request (an export of the trail is itself in
the trail); the transport then streams ``domain.audit.export_records`` in the format asked
(``GET /admin/audit/export`` answers with the file, ``draftroom audit export`` writes it).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from draftroom import store
from draftroom.domain.access import find_person
from draftroom.domain.audit import Format, checkpoint, retain, verify_chains
from draftroom.domain.calls import Call
from draftroom.domain.privacy import erase_person
from draftroom.tools.declaration import tool
from draftroom.tools.registry import LOCAL_TRANSPORTS


class VerifyInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VerifyOutput(BaseModel):
    ok: bool = Field(description="Every row, link and checkpoint verified.")
    rows: int = Field(description="Rows covered (with rows older than the chain, counted).")
    broken_row_id: int | None = Field(description="The first row that does not verify.")
    reason: str | None = Field(description="What is wrong with it.")
    checkpoints: int = Field(description="Checkpoints in git that were checked.")


@tool(
    "admin.audit.verify",
    summary="Verify the audit trail",
    description=(
        "Walks your org's audit chain and its git checkpoints: ok, or the first row that was "
        "edited, deleted or inserted outside draftroom."
    ),
    scope="admin",
    http_method="GET",
    http_path="/admin/audit/verify",
)
def verify(call: Call, sandbox: None, body: VerifyInput) -> VerifyOutput:
    org_keys = [call.principal.org_id]
    if call.transport in LOCAL_TRANSPORTS:  # the operator: calls of no org (unknown keys) too
        org_keys.append(store.NO_ORG)
    found = verify_chains(call.services, org_keys)
    return VerifyOutput(
        ok=found.ok,
        rows=found.rows,
        broken_row_id=found.broken_row_id,
        reason=found.reason,
        checkpoints=found.checkpoints,
    )


class CheckpointOutput(BaseModel):
    written: int = Field(description="Checkpoint commits written (repositories whose copy moved).")


@tool(
    "admin.audit.checkpoint",
    summary="Checkpoint the audit trail into git",
    description="Writes each org's chain head to refs/draftroom/audit of its repositories now.",
    scope="admin",
    local_only=True,
    writes=True,
    idempotent=True,
)
def checkpoint_now(call: Call, sandbox: None, body: VerifyInput) -> CheckpointOutput:
    return CheckpointOutput(written=checkpoint(call.services))


class RetainOutput(BaseModel):
    archived: int = Field(description="Rows archived and removed.")
    files: int = Field(description="Sealed archive files written.")


@tool(
    "admin.audit.retain",
    summary="Archive expired audit rows",
    description=(
        "Moves rows older than DRAFTROOM_AUDIT_RETENTION_DAYS into sealed archives in the data "
        "dir, then removes them; the chain continues from the last archived row."
    ),
    scope="admin",
    local_only=True,
    writes=True,
    idempotent=True,
)
def retain_now(call: Call, sandbox: None, body: VerifyInput) -> RetainOutput:
    done = retain(call.services)
    return RetainOutput(archived=done.archived, files=done.files)


class ExportInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Format = Field("jsonl", description="jsonl (a JSON object per line) or csv.")
    since: AwareDatetime | None = Field(None, description="From this time (ISO 8601, with zone).")
    until: AwareDatetime | None = Field(None, description="Before this time (ISO 8601).")

    @model_validator(mode="after")
    def _ordered(self) -> ExportInput:
        if self.since and self.until and self.until <= self.since:
            raise ValueError("until must be after since")
        return self


class ExportOutput(BaseModel):
    org_id: int
    format: Format
    since: datetime | None
    until: datetime | None


@tool(
    "admin.audit.export",
    summary="Export the audit trail",
    description="Your org's audit records, one per call, as JSON lines or CSV (streamed).",
    scope="admin",
    http_method="GET",
    http_path="/admin/audit/export",
)
def export(call: Call, sandbox: None, body: ExportInput) -> ExportOutput:
    return ExportOutput(
        org_id=call.principal.org_id, format=body.format, since=body.since, until=body.until
    )


class PersonInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320, description="The person's email.")


class PersonExportOutput(BaseModel):
    user_id: int


@tool(
    "admin.privacy.export",
    summary="Everything held about a person",
    description="Their profile, keys, sandboxes and audit rows, as JSON lines (the CLI writes them).",
    scope="admin",
    local_only=True,
)
def privacy_export(call: Call, sandbox: None, body: PersonInput) -> PersonExportOutput:
    user = find_person(call, call.session, body.email, live=False)
    call.audit.detail.update(person_id=user.id)
    return PersonExportOutput(user_id=user.id)


class EraseInput(PersonInput):
    delete_sandboxes: bool = Field(False, description="Delete their sandboxes, not archive them.")


class EraseOutput(BaseModel):
    user_id: int
    keys_revoked: int
    audit_rows: int = Field(description="Audit rows whose personal fields were erased.")
    sandboxes: int = Field(description="Sandboxes archived (or deleted).")


@tool(
    "admin.privacy.erase",
    summary="Erase a person (privacy request)",
    description=(
        "Revokes their keys and sign-ins, deletes their personal data, pseudonymizes their "
        "audit rows (the trail still verifies) and archives or deletes their sandboxes."
    ),
    scope="admin",
    local_only=True,
    writes=True,
    consequential=True,
)
def privacy_erase(call: Call, sandbox: None, body: EraseInput) -> EraseOutput:
    erased = erase_person(call, call.session, body.email, body.delete_sandboxes)
    return EraseOutput(**vars(erased))
