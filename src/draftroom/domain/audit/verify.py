"""``audit verify``: walk an org's chain and its git checkpoints; name the first row that
does not verify.

A row edited in the database no longer matches its hash; a row deleted or inserted breaks
the link of the row after it (or the head, at the end); a row among the rows written before
chaining began changes their count. Rewriting the database *and* recomputing the chain is
caught by the checkpoints in git (``checkpoint``): each names a row and its hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.audit.chain import audit_key, personal_digest, personal_fields, row_hash
from draftroom.domain.audit.checkpoint import checkpoints
from draftroom.domain.audit.retention import archived_hashes, broken_seals
from draftroom.domain.calls import Services


@dataclass
class Verified:
    rows: int = 0
    broken_row_id: int | None = None
    reason: str | None = None
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.reason is None


class _Broken(Exception):
    def __init__(self, row_id: int | None, reason: str) -> None:
        super().__init__(reason)
        self.row_id, self.reason = row_id, reason


def verify_chains(services: Services, org_keys: list[int]) -> Verified:
    """Verify the chains of ``org_keys`` (org ids; ``store.NO_ORG`` for rows of no org)."""
    result = Verified()
    key = audit_key(services)
    try:
        with services.database.session() as session:
            for org_key in org_keys:
                marks = checkpoints(services, session, org_key)
                result.checkpoints += len(marks)
                wanted = {m.last_id for m in marks}
                seen = _walk(services, session, key, org_key, result, wanted)
                seen |= archived_hashes(services, org_key, wanted - set(seen))
                for mark in marks:
                    if seen.get(mark.last_id) != mark.last_hash:
                        raise _Broken(
                            mark.last_id,
                            f"git checkpoint {mark.commit[:12]} names row {mark.last_id} with "
                            "another hash: the database and its chain were rewritten",
                        )
    except _Broken as broken:
        result.broken_row_id, result.reason = broken.row_id, broken.reason
    return result


def _walk(
    services: Services,
    session: Session,
    key: bytes,
    org_key: int,
    result: Verified,
    wanted: set[int],
) -> dict[int, str]:
    """Check every row of one chain; the hashes of the ``wanted`` rows, by id."""
    head = store.get_chain_head(session, org_key)
    for name in broken_seals(services, org_key):
        raise _Broken(None, f"archive {name} does not match its seal: it was changed")
    legacy = head.legacy_count if head else 0
    if store.legacy_row_count(session, org_key, head.legacy_max_id if head else 0) != legacy:
        raise _Broken(None, "rows written before chaining began were inserted or deleted")
    result.rows += legacy
    seen: dict[int, str] = {}
    count = 0
    previous = head.archived_hash if head else None  # the chain goes on after an archive
    last_id: int | None = None
    for row in store.chained_rows(session, org_key):
        if row.hash is None:
            raise _Broken(row.id, f"row {row.id} is not chained: it was inserted directly")
        if row.prev_hash != previous:
            raise _Broken(
                row.id,
                f"row {row.id} does not follow row {last_id}: a row "
                "between them was deleted or inserted",
            )
        digest = personal_digest(key, org_key, personal_fields(row))
        if row.erased_at is None and digest != row.personal_digest:
            raise _Broken(row.id, f"row {row.id}'s person, key or client was changed")
        if row_hash(row, previous) != row.hash:
            raise _Broken(row.id, f"row {row.id} was changed after it was written")
        previous, last_id = row.hash, row.id
        if row.id in wanted:
            seen[row.id] = row.hash
        count += 1
    if head is None and last_id is not None:
        raise _Broken(last_id, f"row {last_id} belongs to a chain with no head")
    result.rows += count
    if head is not None and (head.last_hash != previous or head.count != count):
        raise _Broken(
            head.last_id,
            f"the chain ends at row {last_id} but its head names row "
            f"{head.last_id}: rows at its end were deleted",
        )
    return seen
