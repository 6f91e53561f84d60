"""Role guards: every route states who may use it."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from matchmaker.web.session_cookie import Identity


def identity_of(connection: ASGIConnection) -> Identity | None:
    identity = connection.scope.get("state", {}).get("identity")
    return identity if isinstance(identity, Identity) else None


def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if identity_of(connection) is None:
        raise NotAuthorizedException("Sign in first.")


def organiser_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    identity = identity_of(connection)
    if identity is None:
        raise NotAuthorizedException("Sign in first.")
    if identity.role != "organiser":
        raise PermissionDeniedException("Organisers only.")


def participant_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    identity = identity_of(connection)
    if identity is None:
        raise NotAuthorizedException("Sign in first.")
    if identity.role != "participant":
        raise PermissionDeniedException("Participants only.")
