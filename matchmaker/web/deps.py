"""Request dependencies: one database session per request, who is asking, the event."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar import Request
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from sqlmodel import Session, select

from matchmaker import accounts
from matchmaker.db import wrote
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Event
from matchmaker.web.guards import identity_of
from matchmaker.web.unit_of_work import end_request_session, request_session


async def provide_db(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work (matchmaker.web.unit_of_work: the session the guard
    read the account on), committed when the handler succeeds. Asynchronous so that
    Litestar ends it on the loop, not through a worker thread, when nothing was written;
    a commit that writes still waits for the database in a thread."""
    session = request_session(request)
    try:
        yield session
        if wrote(session):
            await sync_to_thread(session.commit)  # Litestar's executor, as before
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        end_request_session(request.scope)


def provide_account(request: Request, db: DB) -> Account | None:
    identity = identity_of(request)
    if identity is None:
        return None
    account = db.get(Account, identity.account_id)
    if account is None or not account.active or account.role.value != identity.role:
        return None
    if not accounts.session_is_current(account, identity.generation):
        return None  # signed out since this session was opened
    return account


def provide_user(account: MaybeAccount) -> Account:
    """For guarded routes: the signed-in account, refusing stale sessions."""
    if account is None:
        raise NotAuthorizedException("Sign in first.")
    return account


def require_event(event: Event | None) -> Event:
    """The event for pages that make no sense without one: 404 until it exists."""
    if event is None:
        raise NotFound(N_("No event has been set up yet."))
    return event


_FIRST_EVENT = select(Event).order_by(Event.id)  # type: ignore[arg-type]  # built once


def provide_event(db: DB) -> Event | None:
    return db.exec(_FIRST_EVENT).first()


# Handler parameter types: Litestar wants injected dependencies marked explicitly.
DB = NamedDependency[Session]
MaybeAccount = NamedDependency[Account | None]
User = NamedDependency[Account]
MaybeEvent = NamedDependency[Event | None]
