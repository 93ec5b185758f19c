"""The failures page: the org's failed calls (filtered by tool and code, a page at a time) and
the state of the alert webhook (its host only, never its path: that often holds a secret)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from draftroom.domain.calls import Principal, Services
from draftroom.domain.console.audit import (
    FAILURE_PARAMETERS,
    AuditPage,
    AuditQuery,
    audit_page,
    parse_query,
)


@dataclass(frozen=True)
class AlertState:
    configured: bool
    host: str | None
    delivered: int
    dropped: int
    counts: dict[str, int]
    """This process's failed calls by error code (every org's: the counter is the server's)."""


@dataclass(frozen=True)
class FailuresView:
    query: AuditQuery
    page: AuditPage
    alerts: AlertState


def failures_view(
    session: Session, services: Services, principal: Principal, params: Sequence[tuple[str, str]]
) -> FailuresView:
    query = parse_query(session, principal, params, FAILURE_PARAMETERS, outcome="error")
    sender = services.alerts
    alerts = AlertState(
        configured=sender.url is not None,
        host=sender.host,
        delivered=sender.delivered,
        dropped=sender.dropped,
        counts=services.failures.snapshot(),
    )
    return FailuresView(query, audit_page(session, query), alerts)
