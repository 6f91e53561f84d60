"""Counts shown in the navigation bar: unread notifications and requests
waiting for the signed-in organisation's answer, in one small query."""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy import Integer, Select, bindparam, func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from matchmaker.models import Account, MeetingRequest, Notification, Participant, RequestStatus
from matchmaker.web.guards import identity_of
from matchmaker.web.unit_of_work import open_request_session

EMPTY = {"unread": 0, "requests": 0}


def nav_counts_for(session: Session, account: Account | None) -> dict[str, int]:
    """{"unread": unread notifications, "requests": pending incoming requests}."""
    if account is None or account.id is None:
        return dict(EMPTY)
    return _counts(session, account.id)


def _counts(session: Session, account_id: int) -> dict[str, int]:
    row = session.exec(_COUNTS, params={"account_id": account_id}).one()  # type: ignore[call-overload]
    return {"unread": int(row[0] or 0), "requests": int(row[1] or 0)}


def _counts_statement() -> Select[tuple[int, int]]:
    """Built once (building it took longer than running it): the account a parameter."""
    account_id = bindparam("account_id", type_=Integer)
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.account_id == account_id, col(Notification.read_at).is_(None))
        .scalar_subquery()
    )
    pending = (
        select(func.count())
        .select_from(MeetingRequest)
        .join(Participant, col(Participant.organisation_id) == col(MeetingRequest.to_org_id))
        .join(Account, col(Account.participant_id) == col(Participant.id))
        .where(Account.id == account_id, MeetingRequest.status == RequestStatus.pending)
        .scalar_subquery()
    )
    return select(unread, pending)


_COUNTS = _counts_statement()


@pass_context
def nav_counts(ctx: Context) -> dict[str, int]:
    """Jinja global for base.html. Handlers that just changed something pass
    `nav_totals` in the context (computed on their own session); otherwise one
    query, remembered for the rest of the request, on the request's session while its
    unit of work is open (a page renders before it ends), else on a short session."""
    given: Any = ctx.get("nav_totals")
    if isinstance(given, dict):
        return given
    request = ctx.get("request")
    if request is None:
        return dict(EMPTY)
    identity = identity_of(request)
    if identity is None:
        return dict(EMPTY)
    state = request.scope.setdefault("state", {})
    cached = state.get("nav_counts")
    if isinstance(cached, dict):
        return cached
    try:
        session = open_request_session(request.scope)
        if session is not None:
            counts = _counts(session, identity.account_id)
        else:
            with Session(request.app.state.engine) as short:
                counts = _counts(short, identity.account_id)
    except SQLAlchemyError:  # an error page must still render without its badges
        return dict(EMPTY)
    state["nav_counts"] = counts
    return counts
