"""The audit trail: the one writer of audit rows (``record_event``), its repair after a
crash (``reconcile``) and the counts read from it (``tool_counts``).

An audit row never holds a secret or file content.
"""

from draftroom.domain.audit.chain import PERSONAL_DETAIL, audit_key
from draftroom.domain.audit.checkpoint import checkpoint
from draftroom.domain.audit.events import REDACTED, record_event
from draftroom.domain.audit.export import COLUMNS, Format, encode, export_records, record_of
from draftroom.domain.audit.metrics import tool_counts
from draftroom.domain.audit.reconcile import Reconciled, reconcile
from draftroom.domain.audit.retention import Retained, retain
from draftroom.domain.audit.sink import deliver
from draftroom.domain.audit.verify import Verified, verify_chains
from draftroom.domain.audit.workers import with_audit_workers

__all__ = [
    "COLUMNS",
    "PERSONAL_DETAIL",
    "REDACTED",
    "Format",
    "Reconciled",
    "Retained",
    "Verified",
    "audit_key",
    "checkpoint",
    "deliver",
    "encode",
    "export_records",
    "reconcile",
    "record_event",
    "record_of",
    "retain",
    "tool_counts",
    "verify_chains",
    "with_audit_workers",
]
