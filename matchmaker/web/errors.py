"""Every error becomes a designed page (or a JSON body under /api), never a traceback."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.htmx import HTMXDetails
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from matchmaker.errors import DomainError
from matchmaker.i18n import N_
from matchmaker.models import Account, Role
from matchmaker.storage import Fault, describe, storage_fault
from matchmaker.web.guards import identity_of
from matchmaker.web.render import error_text, gettext_for
from matchmaker.web.session_cookie import read_identity

log = logging.getLogger(__name__)

TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Please sign in"),
    403: N_("You do not have access to this page"),
    404: N_("Page not found"),
    405: N_("This action is not allowed here"),
    409: N_("This conflicts with a change made meanwhile"),
    413: N_("What you sent is too large"),
    415: N_("This kind of content is not accepted"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
}
STORAGE_TITLES = {
    Fault.read_only: N_("The database is read-only"),
    Fault.disk_full: N_("The server's disk is full"),
}
NOT_SAVED = N_("What you entered was not saved. Please tell the organisers.")
NOT_SAVED_ORGANISER = N_(
    "What you entered was not saved. Tell whoever runs the server: its log names the "
    "file at fault."
)


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api") or request.url.path.startswith("/schema"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _read_identity(request: Request) -> None:
    """A request that matched no route (404, 405) never passed the identity
    middleware: read the session and language cookies here."""
    if "locale" not in request.scope.get("state", {}):
        app_state = request.app.state
        read_identity(request.scope, app_state.signer, app_state.settings.default_locale)


def _signed_in_account(request: Request) -> Account | None:
    """Who is asking, for the navigation of the error page (None when unknown)."""
    identity = identity_of(request)
    if identity is None:
        return None
    try:
        with Session(request.app.state.engine) as session:
            account = session.get(Account, identity.account_id)
    except SQLAlchemyError:  # the error page must render even when the database fails
        return None
    if account is None or not account.active or account.role.value != identity.role:
        return None
    return account


def _signin_path(request: Request, target: str) -> str:
    """The sign-in page, bringing the browser back to `target` afterwards."""
    return f"{request.app.route_reverse('signin')}?next={quote(target, safe='/')}"


def _respond(
    request: Request, status: int, detail: str, *, title: str = "", code: str = ""
) -> Response:
    _read_identity(request)
    title = title or gettext_for(
        request, TITLES.get(status, TITLES[400] if status < 500 else TITLES[500])
    )
    if wants_json(request):
        body: dict[str, object] = {"status_code": status, "error": title, "detail": detail}
        if code:
            body["code"] = code
        return Response(body, status_code=status, media_type=MediaType.JSON)
    # Handlers for unrouted requests get a plain Request: read htmx's headers the same way.
    htmx = HTMXDetails(request)
    if status == HTTP_401_UNAUTHORIZED and htmx:
        # htmx would follow a redirect and swap the sign-in page into a fragment:
        # send the whole browser page to sign in, and back to that page afterwards.
        current = urlsplit(htmx.current_url or "")
        target = current.path + (f"?{current.query}" if current.query else "") or "/"
        return Response(
            "",
            status_code=status,
            headers={"HX-Redirect": _signin_path(request, target)},
        )
    if status == HTTP_401_UNAUTHORIZED and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(_signin_path(request, target))
    return Template(
        template_name="error.html",
        context={
            "status": status,
            "title": title,
            "detail": detail,
            "account": _signed_in_account(request),
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    detail = ""
    if isinstance(exc, ValidationException):
        detail = gettext_for(request, "Some fields are missing or not valid.")
        if wants_json(request):
            # As Litestar's OpenAPI document describes a validation error: the text in
            # "detail" (a string, as in every other error), the fields in "extra".
            body = {"status_code": status, "error": "validation", "detail": detail}
            return Response(
                {**body, "extra": exc.extra or []},
                status_code=status,
                media_type=MediaType.JSON,
            )
    elif status == 413:
        detail = gettext_for(request, "Send less data at once.")
    return _respond(request, status, detail)


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    return _respond(request, exc.status_code, error_text(request, exc))


def unstorable_input_handler(request: Request, exc: Exception) -> Response:
    """A value the database cannot hold or compare (an id of 30 digits, a NUL
    character, ...) came from the request: a bad request, not a server error."""
    log.info("unstorable input on %s %s: %s", request.method, request.url.path, exc)
    return _respond(request, 400, gettext_for(request, "Some fields are missing or not valid."))


def storage_fault_response(request: Request, exc: Exception, fault: Fault) -> Response:
    """The database is read-only or the disk full: the person learns that nothing was
    saved and whom to tell; the operator's log gets one line saying what to fix."""
    log.error(
        "not saved (%s %s): %s",
        request.method,
        request.url.path,
        describe(exc, request.app.state.engine),
    )
    account = _signed_in_account(request)
    organiser = account is not None and account.role == Role.organiser
    response = _respond(
        request,
        HTTP_503_SERVICE_UNAVAILABLE,
        gettext_for(request, NOT_SAVED_ORGANISER if organiser else NOT_SAVED),
        title=gettext_for(request, STORAGE_TITLES[fault]),
        code=fault.value,
    )
    if HTMXDetails(request) and not wants_json(request):
        # A click handled by htmx would otherwise fail silently: the whole page becomes
        # the notice (base.html lets htmx swap a 503).
        response.headers.update(
            {"HX-Retarget": "body", "HX-Reswap": "innerHTML", "HX-Reselect": "unset"}
        )
    return response


def internal_error_handler(request: Request, exc: Exception) -> Response:
    fault = storage_fault(exc)
    if fault is not None:
        return storage_fault_response(request, exc, fault)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _respond(request, HTTP_500_INTERNAL_SERVER_ERROR, "")
