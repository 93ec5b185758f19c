"""Adding a template: read it from a directory or git URL, check it whole, keep it versioned."""

from __future__ import annotations

from dataclasses import dataclass

from draftroom.domain.calls import Call
from draftroom.domain.templates.catalog import org_slug
from draftroom.domain.templates.sources import read_source
from draftroom.domain.templates.storage import store_template
from draftroom.domain.templates.template import Template


@dataclass(frozen=True)
class Added:
    template: Template
    owner: str
    """'global' (every org) or the org's slug."""
    created: bool


def add_template(call: Call, source: str, *, shared: bool) -> Added:
    """Read, check and keep the template at ``source`` for the caller's org, or for every
    org when ``shared`` (the caller checked it may). Nothing is kept unless all of it holds."""
    owner = None if shared else org_slug(call.services, call.principal.org_id)
    template = read_source(source, "global" if shared else "org")
    created = store_template(call.services, template, owner)
    call.audit.detail.update(template=template.label, owner=owner or "global")
    return Added(template, owner or "global", created)
