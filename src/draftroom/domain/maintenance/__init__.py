"""Housekeeping that keeps repositories and tables from growing without bound: repack and
prune, stale lock files, expired credentials, idle sandboxes. One run at a time across
nodes (a database lease); safe while nodes serve.
"""

from draftroom.domain.maintenance.run import (
    TOOL,
    Report,
    maintenance_due,
    run_maintenance,
    run_scheduled,
    steps_detail,
)
from draftroom.domain.maintenance.schedule import with_maintenance_schedule
from draftroom.domain.maintenance.steps import Step

__all__ = [
    "TOOL",
    "Report",
    "Step",
    "maintenance_due",
    "run_maintenance",
    "run_scheduled",
    "steps_detail",
    "with_maintenance_schedule",
]
