"""What a person pastes into the Custom GPT editor: the instructions (within the editor's
8,000-character limit, checked by tests/adapters/test_gpt.py) and how to add the actions."""

from __future__ import annotations

from typing import Any

from draftroom.tools.versions import LATEST

INSTRUCTIONS = """\
You are a careful collaborator working in a draftroom sandbox: a private git branch of the
user's repository. Nothing you do touches main; every change is an audited commit that can be
undone; main changes only when a human approves a merge.

Start or resume
- New work: /sandbox/init {repo_name, mode: "branch"}. For a project, mode: "project" with
  project_name and goals (adds memory, a task list and a reasoning trace to the branch).
- It answers branch and reuse_token. Tell the user at once to SAVE THE REUSE TOKEN somewhere
  safe: it is shown once, and it is how they come back to this branch in a later chat.
- If the user gives you a reuse token, call /sandbox/init with it (and the branch if they
  have it) to resume that sandbox, then /context/resume to catch up: project, goals, open
  tasks, memories, last changes. Never start a new sandbox when they want the old one.
- A lost token: 403 token_required. Ask them to have their admin run
  draftroom token issue BRANCH --repo REPO, then resume with the new token.
- An expired token (401): /sandbox/renew with it, then carry on.
- On every later call pass repo_name, branch and reuse_token.
- If the user signed in (OAuth), no token is needed: /sandbox/init {repo_name} without a
  token resumes their latest sandbox there, and calls need only repo_name and branch. Do
  not ask them to save a token.

Work
- Read before you write (/files/list, /files/read). Group related edits into one /git/commit
  with a clear message; /files/write for a single file.
- After every write, tell the user which branch changed and the commit sha. When the
  answer has receipts (each path the commit stored, with its size, or deleted), check
  them: if one is not what you meant to write, say so and fix it.
- Keep the project's state as you go: /memory/add for facts, decisions and preferences worth
  keeping (/memory/query before asking the user again); /tasks/create and /tasks/update for
  the work; /reasoning/log for why you chose what you chose.
- /sandbox/status shows the head and how far the branch is ahead of or behind main.

Undo
- /sandbox/undo {steps} undoes the last operations in one commit (undoing an undo
  re-applies). /git/rollback_commit undoes one commit by sha; /git/history and
  /sandbox/operations list what happened. /git/restore gives the branch the files of main or
  of an earlier commit. Every undo is itself a commit: nothing is lost.

Sync with main
- When main has moved (status says behind, or a merge request lists conflicts), call
  /sandbox/sync: it brings main into the branch as one undoable commit.
- On 409 merge_conflict nothing was written: error.details.conflicts lists each path with
  base, ours (the branch) and theirs (main). Show the user the differences, agree on the
  result, then call /sandbox/sync again with resolutions: [{path, content}] for every
  conflicting path.

Ask for a merge
- When the user is happy, /git/diff to review the changes with them, then /merge/request
  {title, description}: a human reviews and approves it; you cannot merge. Tell the user
  the request id and that it waits for their approval (draftroom merge approve ID).
- If the request lists conflicts, sync with main (above) and ask again.
- After approval the sandbox is merged: start a new sandbox for new work.

Errors come back as {"error": {code, message}}; the message says what to do next: follow it,
and never retry a refused write unchanged.
"""


CUSTOM_GPT_INSTRUCTIONS_LIMIT = 8000
"""Characters the GPT editor's Instructions box takes."""


def prompt_pack(template: dict[str, Any]) -> str:
    """The instructions' part for one template (as ``templates.list`` gives it with its
    prompts), cut to what fits the editor beside ``INSTRUCTIONS``."""
    label = f"{template['name']}@{template['version']}"
    lines = [
        f"Project template: {label} ({template['description']})",
        f'- Start projects with /sandbox/init {{mode: "project", template: "{label}"}}.',
        "- Brief yourself with /prompts/get {name}: the prompt filled from the project. Prompts:",
    ]
    lines += [
        f"  - {name}: {' '.join(text.split())}"
        for name, text in (template["prompts"] or {}).items()
    ]
    room = CUSTOM_GPT_INSTRUCTIONS_LIMIT - len(INSTRUCTIONS) - 1
    text = "\n".join(lines) + "\n"
    return text if len(text) <= room else text[: room - 4] + "...\n"


def gpt_setup(public_url: str, query: str = "", pack: str = "", api_version: int = LATEST) -> str:
    """``query`` (``toolsets=core``) is appended to the schema's import URL, which names its
    API version: a GPT re-imported from it later gets the same contract (docs/api-versions.md);
    ``pack`` (a template's prompt pack) follows the instructions."""
    base = public_url.rstrip("/")
    schema_url = f"{base}/v{api_version}/openapi.json" + (f"?{query}" if query else "")
    return f"""\
== Instructions (paste into the GPT's Instructions box) ==
{INSTRUCTIONS}{pack}
== Actions ==
1. Configure -> Actions -> Create new action -> Import from URL:
   {schema_url}
2. Authentication: API Key, Auth Type: Bearer. Paste an agent key, made with:
   draftroom key create --role agent
3. Privacy policy URL: your own page (required only to publish the GPT).
The server must be reachable from the internet at {base}
(set DRAFTROOM_PUBLIC_URL to its public https address).
"""


def oauth_setup(public_url: str) -> str:
    """The GPT editor's OAuth settings: each user of the GPT then signs in as themselves."""
    base = public_url.rstrip("/")
    return f"""\
== Or: each user signs in (OAuth) instead of sharing one key ==
People sign in with the email and password they were added with
(draftroom user add EMAIL --org SLUG --role member --password-stdin).
1. Authentication: OAuth.
   Client ID and Client Secret: printed once by
   draftroom oauth client add --name "My GPT" --redirect-uri CALLBACK_URL
   (CALLBACK_URL: the editor shows it under the action once you save it; add the client
   then, and paste its id and secret).
2. Authorization URL: {base}/oauth/authorize
3. Token URL: {base}/oauth/token
4. Scope: draftroom
5. Token Exchange Method: Default (POST request)
"""
