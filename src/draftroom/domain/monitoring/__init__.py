"""What an operator watches: the metrics of tool calls (``/metrics``) and whether a node
can serve (``/ready``). Counts only names, codes and states: never an org's data.
"""

from draftroom.domain.monitoring.metrics import MULTIPROC_ENV, CallMetrics, Ended
from draftroom.domain.monitoring.readiness import Readiness, check_readiness, repositories_root
from draftroom.domain.monitoring.scrape import (
    StateCollector,
    exposition,
    forget_worker,
    prepare_multiprocess_dir,
    scrape_registry,
)

__all__ = [
    "MULTIPROC_ENV",
    "CallMetrics",
    "Ended",
    "Readiness",
    "StateCollector",
    "check_readiness",
    "exposition",
    "forget_worker",
    "prepare_multiprocess_dir",
    "repositories_root",
    "scrape_registry",
]
