"""``admin.repos.webhook``: the URL and secret a repository's forge signs its deliveries with.

The secret is shown, so the tool is ``local_only``: only ``draftroom repo webhook NAME`` at
the server's shell reaches it (no HTTP route, refused over MCP). It is never audited.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call
from draftroom.domain.webhooks import webhook_setup
from draftroom.tools.declaration import tool


class WebhookInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100, description="The repository's name.")


class WebhookOutput(BaseModel):
    name: str
    forge: str = Field(description="github, gitea or gitlab: what the upstream's host looks like.")
    url: str = Field(description="The payload URL to paste into that forge.")
    urls: dict[str, str] = Field(description="The payload URL per forge.")
    secret: str = Field(description="The webhook secret (shown to the CLI only).")
    created: bool = Field(description="True when the secret was made by this call.")


@tool(
    "admin.repos.webhook",
    summary="Show a repository's webhook URL and secret",
    description=(
        "The URL to paste into the upstream's forge (GitHub, Gitea, GitLab) and the secret "
        "it signs deliveries with, created on first use and stored encrypted."
    ),
    scope="admin",
    writes=True,
    idempotent=True,
    http_path="/admin/repos/{name}/webhook",
    local_only=True,
)
def webhook(call: Call, sandbox: None, body: WebhookInput) -> WebhookOutput:
    call.audit.repo = body.name
    with call.services.database.session() as session:
        setup = webhook_setup(call.services, session, call.principal.org_id, body.name)
        call.audit.detail["secret_created"] = setup.created
        return WebhookOutput(
            name=setup.repo_name,
            forge=setup.forge,
            url=setup.url,
            urls=setup.urls,
            secret=setup.secret,
            created=setup.created,
        )
