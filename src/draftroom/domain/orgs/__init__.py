"""Orgs as a whole: adding, listing, exporting and deleting one (the operator's tools), and
bringing a data dir to the per-org layout when services start on it.

Each org keeps its repositories under ``DATA_DIR/orgs/SLUG/`` and its credentials under a
key of its own; nothing here ever reaches into another org's rows or directory.
"""

from draftroom.domain.orgs.export import Exported, export_org
from draftroom.domain.orgs.lifecycle import (
    SLUG,
    SLUG_RULE,
    Deleted,
    OrgInfo,
    add_org,
    delete_org,
    list_orgs,
    require_operator,
)
from draftroom.domain.orgs.prepare import Prepared, prepare_data_dir

__all__ = [
    "SLUG",
    "SLUG_RULE",
    "Deleted",
    "Exported",
    "OrgInfo",
    "Prepared",
    "add_org",
    "delete_org",
    "export_org",
    "list_orgs",
    "prepare_data_dir",
    "require_operator",
]
