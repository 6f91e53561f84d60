"""Every error becomes a designed page (or a JSON body under /api), never a traceback."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_401_UNAUTHORIZED, HTTP_500_INTERNAL_SERVER_ERROR

from matchmaker.errors import DomainError
from matchmaker.i18n import N_
from matchmaker.web.render import error_text, gettext_for

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


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api") or request.url.path.startswith("/schema"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _respond(request: Request, status: int, detail: str) -> Response:
    title = gettext_for(request, TITLES.get(status, TITLES[400] if status < 500 else TITLES[500]))
    if wants_json(request):
        return Response(
            {"status_code": status, "error": title, "detail": detail},
            status_code=status,
            media_type=MediaType.JSON,
        )
    if status == HTTP_401_UNAUTHORIZED and request.method == "GET":
        return Redirect(f"/signin?next={request.url.path}")
    return Template(
        template_name="error.html",
        context={"status": status, "title": title, "detail": detail},
        status_code=status,
        media_type=MediaType.HTML,
    )


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    detail = ""
    if isinstance(exc, ValidationException):
        detail = gettext_for(request, "Some fields are missing or not valid.")
        if wants_json(request):
            return Response(
                {"status_code": status, "error": "validation", "detail": exc.extra or detail},
                status_code=status,
                media_type=MediaType.JSON,
            )
    elif status == 413:
        detail = gettext_for(request, "Send less data at once.")
    return _respond(request, status, detail)


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    return _respond(request, exc.status_code, error_text(request, exc))


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _respond(request, HTTP_500_INTERNAL_SERVER_ERROR, "")
