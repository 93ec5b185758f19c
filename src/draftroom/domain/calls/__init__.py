"""Who calls and what a call carries: ``Call`` (with its one session and audit fields),
the ``Principal`` behind it, the process's ``Services``, and how failed calls are reported.

The lowest domain package: it imports no other.
"""

from draftroom.domain.calls import idempotency
from draftroom.domain.calls.alerts import AlertSender
from draftroom.domain.calls.call import (
    NO_PLUGINS,
    AuditFields,
    Call,
    NoPlugins,
    PluginHooks,
    Principal,
    Progress,
)
from draftroom.domain.calls.counters import SharedCounters
from draftroom.domain.calls.failures import (
    FailedCall,
    FailureCounter,
    recent_failures,
    report_failure,
    send_test_alert,
)
from draftroom.domain.calls.services import Services

__all__ = [
    "NO_PLUGINS",
    "AlertSender",
    "AuditFields",
    "Call",
    "FailedCall",
    "FailureCounter",
    "NoPlugins",
    "PluginHooks",
    "Principal",
    "Progress",
    "Services",
    "SharedCounters",
    "idempotency",
    "recent_failures",
    "report_failure",
    "send_test_alert",
]
