"""An org's life: added with a slug, listed with what it holds, deleted whole.

Only the data dir's operator (an admin of its own org, ``settings.org``) manages orgs: an
admin of any other org is refused, so no org can touch another's. Deleting removes every
row of the org, its own templates and ``DATA_DIR/orgs/SLUG/``, never a repository registered elsewhere.
"""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from draftroom import store
from draftroom.domain.access import holds
from draftroom.domain.calls import Call, Services
from draftroom.domain.repos import data_dir_lock, org_dir
from draftroom.domain.templates import forget_org_templates
from draftroom.errors import Conflict, InsufficientScope, InvalidInput, NotFound

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}$")
SLUG_RULE = (
    "2-39 lowercase letters, digits or '-', starting with a letter or digit "
    "(^[a-z0-9][a-z0-9-]{1,38}$)"
)


@dataclass(frozen=True)
class OrgInfo:
    slug: str
    name: str | None
    created_at: datetime
    repositories: int
    people: int
    keys: int


@dataclass(frozen=True)
class Deleted:
    slug: str
    repositories: list[str]
    """The names of the repositories whose directories were removed with the org's."""
    left_in_place: list[str]
    """Git directories registered outside ``DATA_DIR/orgs/SLUG/`` (``--path``): kept."""


def require_operator(call: Call) -> None:
    """Refuse anyone but an admin of the data dir's own org (the operator)."""
    with call.services.database.session() as session:
        own = store.get_org(session, call.services.settings.org)
    if own is None or call.principal.org_id != own.id or not holds(call.principal, "admin"):
        raise InsufficientScope(
            f"{call.tool} needs an admin of the data dir's own org "
            f"({call.services.settings.org!r}): it acts on every org"
        )


def add_org(call: Call, slug: str, name: str | None) -> OrgInfo:
    require_operator(call)
    if not SLUG.match(slug):
        raise InvalidInput(f"org slug {slug!r} must be {SLUG_RULE}", rule=SLUG.pattern)
    if name is not None and not name.strip():
        raise InvalidInput("the org's name is blank; give a name or leave it out")
    org = store.add_org(call.session, slug, None if name is None else name.strip())
    call.audit.detail.update(org=slug)
    return _info(call, org)


def list_orgs(call: Call) -> list[OrgInfo]:
    require_operator(call)
    return [_info(call, org) for org in store.list_orgs(call.session)]


def _info(call: Call, org: store.Org) -> OrgInfo:
    counts = store.org_counts(call.session, org.id)
    return OrgInfo(
        org.name, org.display_name, org.created_at, counts.repositories, counts.people, counts.keys
    )


def existing_org(services: Services, slug: str) -> store.Org:
    """The org ``slug``; ``NotFound`` naming how to see the orgs there are."""
    with services.database.session() as session:
        org = store.get_org(session, slug)
    if org is None:
        raise NotFound(f"no org named {slug!r}; see 'draftroom org list'")
    return org


def delete_org(call: Call, slug: str) -> Deleted:
    """Delete org ``slug``: its rows (one transaction), then its directory. The directory is
    renamed aside first and renamed back if the rows could not be deleted."""
    require_operator(call)
    services = call.services
    org = existing_org(services, slug)
    if slug == services.settings.org:
        raise Conflict(f"{slug!r} is the data dir's own org (the operator's); it cannot be deleted")
    call.audit.detail.update(org=slug)
    home = org_dir(services.settings, slug).resolve()
    with data_dir_lock(services.settings), services.database.session() as session:
        records = store.list_repositories(session, org.id)
        inside = [r.name for r in records if Path(r.path).resolve().is_relative_to(home)]
        outside = [r.path for r in records if r.name not in inside]
        aside = home.with_name(f".deleting-{slug}-{uuid.uuid4().hex}")
        moved = home.is_dir()
        if moved:
            home.rename(aside)
        try:
            store.delete_org_rows(session, org.id)
            session.commit()
        except BaseException:
            if moved:
                aside.rename(home)
            raise
    if moved:
        shutil.rmtree(aside)
    forget_org_templates(services, slug)  # a new org of the same slug starts without them
    return Deleted(slug, inside, outside)
