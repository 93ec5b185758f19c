"""Template tools: list the templates an org can start from, fill a prompt of a sandbox's
template, and (the operator's command line only) add one.

``admin.templates.add`` reads a path or URL on the server, so it is ``local_only``
(``draftroom template add``), like the org tools.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.orgs import require_operator
from draftroom.domain.templates import add_template, fill_sandbox_prompt, list_templates
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import SandboxInput


class TemplateListInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repo_name: str | None = Field(None, max_length=200, description="Optional; not needed.")
    branch: str | None = Field(None, max_length=250, description="Optional; not needed.")
    reuse_token: str | None = Field(None, max_length=200, description="Optional; not needed.")
    name: str | None = Field(
        None, max_length=40, description="Only this template's versions, with their prompts."
    )


class TemplateOut(BaseModel):
    name: str
    version: str
    description: str
    files: int = Field(description="Files it writes into a new sandbox.")
    source: str = Field(description="builtin, global (every org), org (your org's) or plugin.")


class TemplateListed(TemplateOut):
    prompts: dict[str, str] | None = Field(
        None, description="With name: its prompts (placeholders unfilled; see prompts.get)."
    )


class TemplateListOutput(BaseModel):
    templates: list[TemplateListed] = Field(description="By name, newest version first.")


@tool(
    "templates.list",
    summary="List project templates",
    description=(
        "Templates sandbox.init mode 'project' can start from (template: NAME or NAME@VERSION): "
        "built-in starter kits, your org's and plugins'. Each with its version and file count."
    ),
)
def list_all(call: Call, sandbox: None, body: TemplateListInput) -> TemplateListOutput:
    found = list_templates(call.services, call.principal.org_id, body.name)
    return TemplateListOutput(templates=[TemplateListed(**vars(t)) for t in found])


class PromptGetInput(SandboxInput):
    name: str = Field(
        ...,
        min_length=1,
        max_length=40,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="The prompt, e.g. 'kickoff'.",
        examples=["kickoff"],
    )


class PromptGetOutput(BaseModel):
    name: str
    template: str = Field(description="NAME@VERSION of the sandbox's template.")
    text: str = Field(description="The prompt, filled from the project's workspace.")


@tool(
    "prompts.get",
    summary="Get a filled prompt of the project's template",
    description=(
        "A prompt of the template the sandbox's project started from, with the project name, "
        "goals, open tasks and recent changes filled in: use it to brief yourself."
    ),
)
def get_prompt(call: Call, sandbox: SandboxAccess, body: PromptGetInput) -> PromptGetOutput:
    filled = fill_sandbox_prompt(call, sandbox, body.name)
    return PromptGetOutput(name=filled.name, template=filled.template, text=filled.text)


class TemplateAddInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(
        ..., min_length=1, max_length=4096, description="A template directory or a git URL."
    )
    shared: bool = Field(False, description="For every org (the operator only), not your own.")


class TemplateAddOutput(TemplateOut):
    owner: str = Field(description="'global' or the org's slug.")
    created: bool = Field(description="False: this version was held already, with this content.")


@tool(
    "admin.templates.add",
    summary="Add a template version",
    description="Check a template directory or git URL and keep it as a new version.",
    scope="admin",
    writes=True,
    created_status=201,
    http_path="/admin/templates",
    local_only=True,
)
def add(call: Call, sandbox: None, body: TemplateAddInput) -> TemplateAddOutput:
    if body.shared:
        require_operator(call)
    added = add_template(call, body.source, shared=body.shared)
    t = added.template
    return TemplateAddOutput(
        name=t.name,
        version=t.version,
        description=t.description,
        files=len(t.files),
        source=t.source,
        owner=added.owner,
        created=added.created,
    )
