"""The audit trail: the one writer of audit rows (``record_event``), its repair after a
crash (``reconcile``) and the counts read from it (``tool_counts``).

An audit row never holds a secret or file content.
"""

from draftroom.domain.audit.events import REDACTED, record_event
from draftroom.domain.audit.metrics import tool_counts
from draftroom.domain.audit.reconcile import Reconciled, reconcile

__all__ = [
    "REDACTED",
    "Reconciled",
    "reconcile",
    "record_event",
    "tool_counts",
]
