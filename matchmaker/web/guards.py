"""Role guards: every route states who may use it.

The guards are async (they only read the connection state the identity
middleware filled), so Litestar awaits them directly instead of sending each
check to a worker thread.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from matchmaker.web.session_cookie import Identity


def identity_of(connection: ASGIConnection) -> Identity | None:
    identity = connection.scope.get("state", {}).get("identity")
    return identity if isinstance(identity, Identity) else None


async def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if identity_of(connection) is None:
        raise NotAuthorizedException("Sign in first.")


async def organiser_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    identity = identity_of(connection)
    if identity is None:
        raise NotAuthorizedException("Sign in first.")
    if identity.role != "organiser":
        raise PermissionDeniedException("Organisers only.")


async def participant_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    identity = identity_of(connection)
    if identity is None:
        raise NotAuthorizedException("Sign in first.")
    if identity.role != "participant":
        raise PermissionDeniedException("Participants only.")
