"""The templates an org can start a project from: built-ins, every org's, its own, plugins'.

Built-ins are the three task-only templates sandboxes always had (``default``, ``software``,
``writing``) and the starter kits shipped in ``kits/``. Plugins' templates are directories
the process was given (``Services.plugin_template_dirs``). A name without a version means
its highest version; one version held by several sources resolves to the org's own first,
then every org's, then a plugin's, then the built-in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.templates.manifest import NAME, SEMVER, MemorySeed, TaskSeed, version_key
from draftroom.domain.templates.sources import read_directory
from draftroom.domain.templates.storage import load_stored, stored_versions
from draftroom.domain.templates.template import Template
from draftroom.domain.workspace import TEMPLATES
from draftroom.errors import DraftroomError, InvalidInput

KITS_DIR = Path(__file__).parent / "kits"
BUILTIN_VERSION = "1.0.0"
"""The version of the task-only built-ins."""
KICKOFF = (
    "You are building {project_name}. Goals: {goals}. Open tasks: {open_tasks}. "
    "Recent changes: {recent_changes}. Call context.resume to catch up, then take the first "
    "open task."
)
_PRECEDENCE = {"org": 0, "global": 1, "plugin": 2, "builtin": 3}
_DESCRIPTIONS = {
    "default": "An empty project: memory, tasks and a reasoning trace, no files.",
    "software": "A software project: starter tasks for a first change with a test.",
    "writing": "A writing project: starter tasks to outline, draft and revise.",
}
logger = logging.getLogger("draftroom.templates")


@dataclass(frozen=True)
class Listed:
    """One template version as ``templates.list`` shows it."""

    name: str
    version: str
    description: str
    files: int
    source: str
    prompts: dict[str, str] | None = None
    """Only when listing one template by name."""


class BuiltinTemplates:
    """The built-ins, read and checked once per process (``Services.component``)."""

    def __init__(self) -> None:
        found = [_task_only(name, titles) for name, titles in TEMPLATES.items()]
        for kit in sorted(KITS_DIR.iterdir()):
            if (kit / "template.yaml").is_file():
                found.append(read_directory(kit, "builtin"))
        self.templates = tuple(found)


def _task_only(name: str, titles: tuple[str, ...]) -> Template:
    tasks = tuple(TaskSeed(title) for title in titles)
    memories: tuple[MemorySeed, ...] = ()
    prompts = (("kickoff", KICKOFF),)
    return Template(
        name, BUILTIN_VERSION, _DESCRIPTIONS[name], (), tasks, memories, prompts, "builtin"
    )


def org_slug(services: Services, org_id: int) -> str:
    with services.database.session() as session:
        org = store.get_org_by_id(session, org_id)
    if org is None:
        raise InvalidInput("the caller's org no longer exists")
    return str(org.name)


def _plugin_templates(services: Services) -> list[Template]:
    found = []
    for directory in services.plugin_template_dirs:
        try:
            found.append(read_directory(Path(directory), "plugin"))
        except DraftroomError as exc:
            logger.warning("plugin template %s skipped: %s", directory, exc.message)
    return found


def _stored(services: Services, org: str) -> list[tuple[str, str, str, str]]:
    """(name, version, ref, source) of the kept versions the org sees."""
    return [(n, v, ref, "global") for n, v, ref in stored_versions(services, None)] + [
        (n, v, ref, "org") for n, v, ref in stored_versions(services, org)
    ]


def _ready(services: Services) -> list[Template]:
    builtin = services.component(BuiltinTemplates).templates
    return [*builtin, *_plugin_templates(services)]


def list_templates(services: Services, org_id: int, name: str | None = None) -> list[Listed]:
    """Every version the org can use (only ``name``'s, with prompts, when given), by name
    then newest first."""
    ready = [t for t in _ready(services) if name in (None, t.name)]
    for n, _, ref, source in _stored(services, org_slug(services, org_id)):
        if name not in (None, n):
            continue
        try:
            ready.append(load_stored(services, ref, source))
        except DraftroomError as exc:
            logger.warning("stored template %s skipped: %s", ref, exc.message)
    found = [
        Listed(
            t.name,
            t.version,
            t.description,
            len(t.files),
            t.source,
            dict(t.prompts) if name else None,
        )
        for t in ready
    ]
    found.sort(key=lambda t: (_PRECEDENCE[t.source], t.name))
    found.sort(key=lambda t: version_key(t.version), reverse=True)
    found.sort(key=lambda t: t.name)
    return found


def resolve_template(services: Services, org_id: int, spec: str | None) -> Template:
    """The template ``spec`` names (``NAME`` or ``NAME@VERSION``; None: ``default``)."""
    name, _, version = (spec or "default").strip().partition("@")
    if not NAME.match(name) or (version and not SEMVER.match(version)):
        raise InvalidInput(f"template {spec!r} must be NAME or NAME@VERSION, e.g. 'web-app@1.0.0'")
    ready = _ready(services)
    kept = _stored(services, org_slug(services, org_id))
    versions = [(t.version, t.source) for t in ready if t.name == name]
    versions += [(v, source) for n, v, _, source in kept if n == name]
    if version:
        versions = [v for v in versions if v[0] == version]
    if not versions:
        known = sorted({t.name for t in ready} | {n for n, _, _, _ in kept})
        what = f"{name}@{version}" if version else name
        raise InvalidInput(
            f"no template {what!r}; choose one of {', '.join(known)} (see templates.list)",
            template=spec,
        )
    versions.sort(key=lambda v: _PRECEDENCE[v[1]])
    chosen = max(versions, key=lambda v: version_key(v[0]))  # the first of equals wins
    for template in ready:
        if (template.name, template.version, template.source) == (name, *chosen):
            return template
    ref = next(ref for n, v, ref, source in kept if (n, v, source) == (name, *chosen))
    return load_stored(services, ref, chosen[1])
