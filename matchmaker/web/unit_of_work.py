"""One database session per request, whoever asks for it first.

The role guard reads the account, the `db` dependency hands the session to the handler
and the navigation bar counts its badges while the page renders: all three use the
request's one session (one connection from the pool, one transaction), so the guard's
account is the handler's `user` without reading it again. The `db` dependency commits
and closes it when the handler is done; the middleware closes it at the end of a
request whose handler never asked for it (a guarded route without `db`)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlmodel import Session

from matchmaker.db import keep_loaded

_SESSION = "request_session"


def request_session(connection: ASGIConnection) -> Session:
    """The request's session, opened now if nobody has yet. It keeps what it loads
    (matchmaker.db.keep_loaded): services asking for one row by key read it once."""
    state: dict[str, Any] = connection.scope.setdefault("state", {})  # type: ignore[typeddict-item]
    session = state.get(_SESSION)
    if not isinstance(session, Session):
        session = keep_loaded(Session(connection.app.state.engine, expire_on_commit=False))
        state[_SESSION] = session
    return session


def open_request_session(scope: Scope) -> Session | None:
    """The request's session while it is open (None once the handler's unit of work
    ended, or if none was opened)."""
    session = scope.get("state", {}).get(_SESSION)
    return session if isinstance(session, Session) else None


def end_request_session(scope: Scope) -> None:
    """Close the request's session (its transaction rolled back if still open) and
    forget it: what renders afterwards (an error page) opens a session of its own."""
    session = scope.get("state", {}).pop(_SESSION, None)
    if isinstance(session, Session):
        session.close()


class RequestSessionMiddleware:
    """Closes a request's session that the handler never took over."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            end_request_session(scope)
