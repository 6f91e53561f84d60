"""One way to answer a form action: run it, then return the changed partial to htmx or
redirect a plain form back to its page (Post/Redirect/Get).

A refused action (a DomainError other than NotFound) is rolled back and shown in the
same place either way: htmx gets the partial with the message in it; without
JavaScript the browser goes back to the page with a *flash*, a signed `flash` query
parameter that base.html shows above the content. Signed so that nobody can craft a
link that makes the site say something it did not say; it expires after a while so
an old bookmarked address shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Request, Response
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker.errors import DomainError, NotFound
from matchmaker.web.render import error_text

FLASH_PARAM = "flash"
FLASH_SALT = "matchmaker-flash"
FLASH_MAX_AGE = 600  # seconds
FLASH_MAX_LENGTH = 500


class FlashSigner:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=FLASH_SALT)

    def dumps(self, message: str) -> str:
        return self._serializer.dumps(message[:FLASH_MAX_LENGTH])

    def loads(self, token: str) -> str:
        """The message, or "" when the token is forged, damaged or too old."""
        try:
            message = self._serializer.loads(token, max_age=FLASH_MAX_AGE)
        except BadSignature:
            return ""
        return message if isinstance(message, str) else ""


def with_flash(request: Request, target: str, message: str) -> str:
    """`target` (a local path, maybe with a query and a #fragment) carrying `message`."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != FLASH_PARAM]
    query.append((FLASH_PARAM, request.app.state.flash.dumps(message)))
    return urlunsplit(parts._replace(query=urlencode(query)))


@pass_context
def flash_message(ctx: Context) -> str:
    """The message the previous action left for this page (template global)."""
    request = ctx.get("request")
    if request is None:
        return ""
    token = request.query_params.get(FLASH_PARAM)
    return request.app.state.flash.loads(token) if token else ""


def act(
    request: HTMXRequest,
    db: Session,
    action: Callable[[], object],
    *,
    partial: Callable[[str], Response],
    back: str,
) -> Response:
    """Run `action`; htmx gets `partial(error)` ("" when it succeeded), a plain form a
    303 to `back` (with the error as a flash when it was refused). NotFound stays a
    404 page for both: there is no row to show."""
    try:
        action()
    except NotFound:
        raise
    except DomainError as exc:
        db.rollback()
        message = error_text(request, exc)
        if request.htmx:
            return partial(message)
        return Redirect(with_flash(request, back, message), status_code=303)
    if request.htmx:
        return partial("")
    return Redirect(back, status_code=303)


def path_to(
    request: Request,
    name: str,
    *,
    query: dict[str, Any] | None = None,
    fragment: str = "",
    **params: Any,
) -> str:
    """The path of the route called `name` (its path parameters in `params`), with a
    query string and a #fragment when given."""
    path = request.app.route_reverse(name, **params)
    return urlunsplit(("", "", path, urlencode(query or {}), fragment))


def redirect_to(
    request: Request,
    name: str,
    *,
    query: dict[str, Any] | None = None,
    fragment: str = "",
    **params: Any,
) -> Redirect:
    """303 See Other to the route called `name` (after a form post)."""
    return Redirect(
        path_to(request, name, query=query, fragment=fragment, **params), status_code=303
    )
