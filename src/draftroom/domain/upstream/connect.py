"""Registering a repository that mirrors an upstream: clone it bare, record where it came from.

The clone lives under the data dir like any repository draftroom creates; from then on the
engine works on it locally and the outbox and fetcher keep it and the upstream in step.
A failed clone leaves nothing behind: no directory, no record.
"""

from __future__ import annotations

import re
import shutil

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import BASE_BRANCH
from draftroom.domain.calls import Services
from draftroom.domain.repos import org_repos_dir, register_repository
from draftroom.domain.upstream.access import git_auth
from draftroom.domain.upstream.destinations import check_upstream
from draftroom.domain.upstream.refs import HEADS, pin
from draftroom.errors import AlreadyExists, InvalidInput, NotFound
from draftroom.git import check_url, clone_bare, set_timeouts

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
PUBLISH_MODES = ("push", "pull_request")


def add_upstream_repository(
    services: Services,
    session: Session,
    org_id: int,
    name: str,
    url: str,
    *,
    credential: str | None = None,
    publish: str = "push",
    github_api_url: str | None = None,
) -> store.Upstream:
    """Clone ``url`` bare as repository ``name`` and mirror it from now on."""
    if not _NAME.match(name) or name.endswith(".git"):
        raise InvalidInput(
            f"repository name {name!r} must be 1-100 letters, digits, '.', '_' or '-'"
        )
    if publish not in PUBLISH_MODES:
        raise InvalidInput(f"publish must be 'push' or 'pull_request', got {publish!r}")
    check_url(url)
    if store.get_repository(session, org_id, name) is not None:
        raise AlreadyExists(f"a repository named {name!r} is already registered")
    credential_record = None
    if credential is not None:
        credential_record = store.get_upstream_credential(session, org_id, credential)
        if credential_record is None:
            raise NotFound(
                f"no credential named {credential!r}; add it with 'draftroom credential add'"
            )
    host = check_upstream(services.settings, url, credential_record, github_api_url)
    target = (org_repos_dir(services, session, org_id) / f"{name}.git").resolve()
    if target.exists():
        raise AlreadyExists(f"{target} already exists; pick another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    probe = store.Upstream(url=url, credential=credential_record, github_api_url=github_api_url)
    set_timeouts(services.settings.upstream_timeout_seconds)
    try:
        default_branch = clone_bare(url, target, git_auth(services, probe))
        if default_branch != BASE_BRANCH:
            repo = services.git(target)
            pin(repo, HEADS + BASE_BRANCH, repo.head(default_branch))
            (target / "HEAD").write_text(f"ref: refs/heads/{BASE_BRANCH}\n")
        record = register_repository(services, session, org_id, name, path=target)
        if credential_record is not None and credential_record.kind == "token":
            credential_record.host = credential_record.host or host  # bound from now on
        upstream = store.add_upstream(
            session,
            repository_id=record.id,
            url=url,
            credential_id=None if credential_record is None else credential_record.id,
            main_branch=default_branch,
            publish=publish,  # type: ignore[arg-type]
            github_api_url=github_api_url,
        )
        # What main held when cloned is nobody's news: human changes count from here.
        upstream.human_seen_sha = services.git(target).read_ref(HEADS + BASE_BRANCH)
        return upstream
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
