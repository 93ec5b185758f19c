"""The console's sandbox list: filters read from the query string, one page of the org's
sandboxes (a member's own only), and ahead/behind ``main`` for the rows shown.

Filtering, ordering and paging are SQL (``store.console_sandboxes``); git is read only for
the page's rows, so the list stays fast however many sandboxes the org has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import get_args
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import ARCHIVE_REF, BASE_BRANCH
from draftroom.domain.calls import Principal, Services
from draftroom.domain.console.scope import sees_everyone
from draftroom.errors import InvalidInput, NotFound
from draftroom.git import Repository
from draftroom.store.timestamps import utc_now

PAGE_SIZE = 50
IDLE: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
"""The idle filter's choices: no activity for at least that long."""
STATES: tuple[store.SandboxStatus, ...] = get_args(store.SandboxStatus)
_FIELDS = ("repo", "person", "state", "idle", "page")
_MAX_TEXT = 320
_MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class ListQuery:
    """The list's filters as the query string gave them (empty: not filtered)."""

    repo: str = ""
    person: str = ""
    state: str = ""
    idle: str = ""
    page: int = 1

    def link(self, **changes: object) -> str:
        """The query string of this list with ``changes`` (empty values left out)."""
        values = {**vars(self), **changes}
        kept = {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}
        return "?" + urlencode(kept) if kept else ""


def list_query(params: Mapping[str, str]) -> ListQuery:
    """Parse the list's query string strictly: a bad value is a 400 naming the parameter."""
    unknown = sorted(set(params) - set(_FIELDS))
    if unknown:
        raise InvalidInput(f"unknown parameter {unknown[0]!r}; the list takes {', '.join(_FIELDS)}")
    texts = {name: params.get(name, "").strip() for name in _FIELDS}
    for name, value in texts.items():
        if len(value) > _MAX_TEXT:
            raise InvalidInput(f"{name} is too long (at most {_MAX_TEXT} characters)")
    if texts["state"] and texts["state"] not in STATES:
        raise InvalidInput(f"state must be one of {', '.join(STATES)}")
    if texts["idle"] and texts["idle"] not in IDLE:
        raise InvalidInput(f"idle must be one of {', '.join(IDLE)}")
    page = texts["page"] or "1"
    if not page.isascii() or not page.isdigit() or not 1 <= int(page) <= _MAX_PAGE:
        raise InvalidInput(f"page must be a whole number from 1 to {_MAX_PAGE}")
    return ListQuery(texts["repo"], texts["person"], texts["state"], texts["idle"], int(page))


@dataclass(frozen=True)
class ListedSandbox:
    row: store.SandboxRow
    ahead: int | None
    behind: int | None
    """Commits the sandbox has that ``main`` lacks, and the reverse; None: no branch."""


@dataclass(frozen=True)
class Person:
    email: str
    name: str | None


@dataclass(frozen=True)
class SandboxList:
    query: ListQuery
    sandboxes: list[ListedSandbox]
    total: int
    pages: int
    repositories: list[str]
    people: list[Person]
    """Whom the person filter offers: the org's people for reviewers and owners, else none."""


def sandbox_list(
    services: Services,
    session: Session,
    principal: Principal,
    query: ListQuery,
    now: datetime | None = None,
) -> SandboxList:
    """One page of the sandboxes ``principal`` may see, as ``query`` filters them."""
    everyone = sees_everyone(principal)
    repositories = store.list_repositories(session, principal.org_id)
    users = store.list_users(session, principal.org_id) if everyone else []
    where = store.SandboxFilter(
        org_id=principal.org_id,
        repository_id=_chosen_repository(repositories, query.repo),
        user_id=_chosen_user(users, principal, query.person, everyone),
        status=query.state or None,  # type: ignore[arg-type]
        idle_since=(now or utc_now()) - IDLE[query.idle] if query.idle else None,
    )
    total = store.count_console_sandboxes(session, where)
    offset = (query.page - 1) * PAGE_SIZE
    rows = store.console_sandboxes(session, where, offset=offset, limit=PAGE_SIZE) if total else []
    return SandboxList(
        query=query,
        sandboxes=[_listed(services, row) for row in rows],
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
        repositories=sorted(r.name for r in repositories),
        people=[Person(u.email, u.name) for u in users],
    )


_NOBODY = -1
"""An id no row has: a filter naming an unknown repository or person keeps nothing."""


def _chosen_repository(repositories: Sequence[store.RepositoryRecord], name: str) -> int | None:
    if not name:
        return None
    found = [r.id for r in repositories if r.name == name]
    return found[0] if found else _NOBODY


def _chosen_user(
    users: Sequence[store.User], principal: Principal, email: str, everyone: bool
) -> int | None:
    """Members see only their own sandboxes, whatever they ask for."""
    if not everyone:
        own = principal.user_id if principal.user_id is not None else _NOBODY
        return own if not email or email == principal.user_email else _NOBODY
    if not email:
        return None
    found = [u.id for u in users if u.email.lower() == email.lower()]
    return found[0] if found else _NOBODY


def sandbox_head(repo: Repository, branch: str, status: str) -> str | None:
    """The sandbox's head commit (an archived one's under ``ARCHIVE_REF``); None if gone."""
    ref = ARCHIVE_REF + branch if status == "archived" else branch
    try:
        return repo.resolve(ref)
    except NotFound:
        return None


def _listed(services: Services, row: store.SandboxRow) -> ListedSandbox:
    repo = services.git(row.repo_path)
    head = sandbox_head(repo, row.branch, row.status)
    if head is None:
        return ListedSandbox(row, None, None)
    try:
        ahead, behind = repo.ahead_behind(head, BASE_BRANCH)
    except NotFound:
        return ListedSandbox(row, None, None)
    return ListedSandbox(row, ahead, behind)
