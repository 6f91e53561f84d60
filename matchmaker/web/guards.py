"""Role guards: every route states who may use it.

A guard reads the identity the session middleware found in the cookie and checks it
against the account (active, same role, session not ended by a sign-out), so a route
that never asks who the user is still refuses an ended session. The guards are async
and look the account up by primary key on the request's session (web.unit_of_work),
which the handler then uses: the account is read once per request.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from matchmaker import accounts
from matchmaker.models import Account
from matchmaker.web.session_cookie import Identity
from matchmaker.web.unit_of_work import request_session


def identity_of(connection: ASGIConnection) -> Identity | None:
    identity = connection.scope.get("state", {}).get("identity")
    return identity if isinstance(identity, Identity) else None


def current_identity(connection: ASGIConnection) -> Identity | None:
    """The cookie's identity while its account may still use it, else None."""
    identity = identity_of(connection)
    if identity is None:
        return None
    account = request_session(connection).get(Account, identity.account_id)
    current = (
        account is not None
        and account.active
        and account.role.value == identity.role
        and accounts.session_is_current(account, identity.generation)
    )
    return identity if current else None


async def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if current_identity(connection) is None:
        raise NotAuthorizedException("Sign in first.")


async def organiser_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    identity = current_identity(connection)
    if identity is None:
        raise NotAuthorizedException("Sign in first.")
    if identity.role != "organiser":
        raise PermissionDeniedException("Organisers only.")


async def participant_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    identity = current_identity(connection)
    if identity is None:
        raise NotAuthorizedException("Sign in first.")
    if identity.role != "participant":
        raise PermissionDeniedException("Participants only.")
