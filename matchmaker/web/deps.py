"""Request dependencies: one database session per request, who is asking, the event."""

from __future__ import annotations

from collections.abc import Iterator

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from sqlmodel import Session, select

from matchmaker import accounts
from matchmaker.db import keep_loaded
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.models import Account, Event
from matchmaker.web.guards import identity_of


def provide_db(state: State) -> Iterator[Session]:
    """The request's unit of work: committed when the handler succeeds. It keeps what
    it loads (matchmaker.db.keep_loaded): services asking for one row by key read it once."""
    with keep_loaded(Session(state.engine, expire_on_commit=False)) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


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


def provide_event(db: DB) -> Event | None:
    return db.exec(select(Event).order_by(Event.id)).first()  # type: ignore[arg-type]


# Handler parameter types: Litestar wants injected dependencies marked explicitly.
DB = NamedDependency[Session]
MaybeAccount = NamedDependency[Account | None]
User = NamedDependency[Account]
MaybeEvent = NamedDependency[Event | None]
