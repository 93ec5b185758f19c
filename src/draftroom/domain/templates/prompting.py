"""``prompts.get``: a prompt of the sandbox's template, filled from its workspace.

The sandbox's template is the one its project started from (the ``template`` memory entry
``sandbox.init`` writes); a sandbox started before templates had versions uses ``default``.
Values are short on purpose: a prompt briefs an assistant, it does not replace the tools.
"""

from __future__ import annotations

from dataclasses import dataclass

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.templates.catalog import resolve_template
from draftroom.domain.templates.filling import fill_prompt
from draftroom.domain.workspace import TEMPLATE_KIND, memory_entries, tasks_of
from draftroom.errors import NotFound

RECENT_CHANGES = 5
MAX_OPEN_TASKS = 20
MAX_VALUE_CHARS = 2_000


@dataclass(frozen=True)
class FilledPrompt:
    name: str
    template: str
    text: str


def fill_sandbox_prompt(call: Call, access: SandboxAccess, name: str) -> FilledPrompt:
    """Prompt ``name`` of the sandbox's template, its placeholders filled from the workspace."""
    head = access.head()
    memories = memory_entries(access.repo, head)
    labels = [m.text for m in memories if m.kind == TEMPLATE_KIND]
    template = resolve_template(
        call.services, call.principal.org_id, labels[-1] if labels else None
    )
    text = template.prompt(name)
    if text is None:
        names = ", ".join(n for n, _ in template.prompts) or "none"
        raise NotFound(f"template {template.label} has no prompt {name!r}; its prompts: {names}")
    projects = [m.text for m in memories if m.kind == "project"]
    goals = [m.text for m in memories if m.kind == "goal"]
    open_tasks = [t for t in tasks_of(access.repo, head) if t.status != "done"]
    log = access.repo.log(head, limit=RECENT_CHANGES)
    values = {
        "project_name": projects[-1] if projects else access.repo_name,
        "goals": "; ".join(goals) or "none set yet",
        "open_tasks": "; ".join(f"{t.title} ({t.status})" for t in open_tasks[:MAX_OPEN_TASKS])
        or "none",
        "recent_changes": "; ".join(entry.summary for entry in log.commits) or "none",
    }
    short = {key: value[:MAX_VALUE_CHARS] for key, value in values.items()}
    return FilledPrompt(name, template.label, fill_prompt(text, short))
