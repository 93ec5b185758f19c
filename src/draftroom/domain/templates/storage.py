"""Where added templates are kept: one bare repository, ``DATA_DIR/templates.git``, each
version a parentless commit under ``refs/templates/global/NAME/VERSION`` (every org's) or
``refs/templates/orgs/SLUG/NAME/VERSION`` (one org's own).

git is the source of truth: no table indexes it. A ref is written once: adding a newer
version keeps the older ones, adding the same version again with the same content changes
nothing, and with other content is a 409.
"""

from __future__ import annotations

from pathlib import Path

from draftroom.domain.calls import Services
from draftroom.domain.templates.sources import from_entries
from draftroom.domain.templates.template import MAX_FILES, MAX_TOTAL_BYTES, Template
from draftroom.git import (
    delete_snapshots,
    open_or_init_store,
    snapshot_files,
    snapshot_refs,
    store_snapshot,
)

STORE_DIR = "templates.git"
PREFIX = "refs/templates/"


def store_path(services: Services) -> Path:
    return services.settings.data_dir / STORE_DIR


def owner_prefix(org: str | None) -> str:
    """The refs of every org's templates (``org`` None) or of org ``org``'s own."""
    return PREFIX + ("global/" if org is None else f"orgs/{org}/")


def store_template(services: Services, template: Template, org: str | None) -> bool:
    """Keep ``template`` as a new version; False when that version is held already."""
    gitdir = open_or_init_store(store_path(services))
    ref = f"{owner_prefix(org)}{template.name}/{template.version}"
    stored = store_snapshot(gitdir, ref, template.snapshot, f"Template {template.label}")
    return stored.created


def stored_versions(services: Services, org: str | None) -> list[tuple[str, str, str]]:
    """(name, version, ref) of every version kept for ``org`` (None: every org's)."""
    prefix = owner_prefix(org)
    found = []
    for ref in snapshot_refs(store_path(services), prefix):
        name, _, version = ref[len(prefix) :].partition("/")
        if name and version and "/" not in version:
            found.append((name, version, ref))
    return found


def load_stored(services: Services, ref: str, origin: str) -> Template:
    """A kept version, checked again on the way out (the rules may have grown since)."""
    entries = snapshot_files(store_path(services), ref, MAX_FILES + 1, MAX_TOTAL_BYTES + 1)
    return from_entries(entries, origin)


def forget_org_templates(services: Services, org: str) -> int:
    """Delete org ``org``'s own templates (when the org is deleted); how many versions."""
    return delete_snapshots(store_path(services), owner_prefix(org))
