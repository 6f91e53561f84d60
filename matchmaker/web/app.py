"""The Litestar application factory."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders, ResponseHeader, State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Scope
from sqlalchemy import Engine
from sqlalchemy.exc import DataError

from matchmaker.db import make_engine, upgrade
from matchmaker.errors import DomainError
from matchmaker.paths import resource_dir
from matchmaker.settings import Settings
from matchmaker.web import (
    agenda,
    api,
    approvals,
    auth,
    jobs,
    organiser,
    outbox,
    participant,
    printing,
    profile,
    public,
    schedule,
    setup,
    transfer,
)
from matchmaker.web import availability as availability_web
from matchmaker.web import confirmations as confirmations_web
from matchmaker.web import desk as desk_web
from matchmaker.web import directory as directory_web
from matchmaker.web import feedback as feedback_web
from matchmaker.web import notifications as notifications_web
from matchmaker.web import onsite as onsite_web
from matchmaker.web import report as report_web
from matchmaker.web import requests as requests_web
from matchmaker.web import solve as solve_web
from matchmaker.web import suggestions as suggestions_web
from matchmaker.web.actions import FlashSigner, flash_message
from matchmaker.web.deps import provide_account, provide_db, provide_event, provide_user
from matchmaker.web.errors import (
    domain_error_handler,
    http_exception_handler,
    internal_error_handler,
    unstorable_input_handler,
)
from matchmaker.web.forms import refuse_non_form_bodies
from matchmaker.web.guards import signed_in
from matchmaker.web.nav import nav_counts
from matchmaker.web.overload import OverloadGuard
from matchmaker.web.render import configure_environment
from matchmaker.web.session_cookie import IdentityMiddleware, SessionSigner
from matchmaker.web.unit_of_work import RequestSessionMiddleware

log = logging.getLogger(__name__)

# No framing by other sites (clickjacking), no content sniffing, and no Referer
# leaving the site (personal sign-in links carry their token in the path).
# Everything the pages load comes from this site; forms post only here; no plugins, no
# <base> rewriting. Scripts and styles may be inline: a few forms carry an onsubmit and
# htmx's hx-on attributes, and the charts set widths in style attributes.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
SECURITY_HEADERS = [
    ResponseHeader(name="X-Frame-Options", value="SAMEORIGIN"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="Content-Security-Policy", value=CONTENT_SECURITY_POLICY),
]


async def _no_store(message: Message, scope: Scope) -> None:
    """Pages, agenda files, calendar feeds and exports hold someone's data: no browser
    or proxy keeps a copy (a shared computer at the venue, a proxy's cache). Static
    files keep whatever caching they have."""
    if message["type"] != "http.response.start" or scope["path"].startswith("/static/"):
        return
    headers = MutableScopeHeaders.from_message(message)
    if "cache-control" not in headers:
        headers["Cache-Control"] = "no-store"


def _template_engine_callback(engine: JinjaTemplateEngine) -> None:
    configure_environment(engine.engine)
    engine.engine.globals["nav_counts"] = nav_counts
    engine.engine.globals["flash_message"] = flash_message


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Litestar:
    """Build the application; settings are read here, never at import time."""
    settings = settings or Settings()
    secret = settings.resolved_secret_key()
    engine = engine or make_engine(settings.resolved_database_url())
    upgrade(engine)

    state = State(
        {
            "engine": engine,
            "settings": settings,
            "signer": SessionSigner(secret),
            "flash": FlashSigner(secret),
        }
    )
    exception_handlers: dict[Any, Any] = {
        HTTPException: http_exception_handler,
        DomainError: domain_error_handler,
        DataError: unstorable_input_handler,
        OverflowError: unstorable_input_handler,
        Exception: internal_error_handler,
    }
    openapi_config = OpenAPIConfig(
        title="Matchmaker API",
        version="1",
        openapi_router=Router(path="/api/schema", guards=[signed_in], route_handlers=[]),
        render_plugins=[JsonRenderPlugin(path="/openapi.json")],
    )
    return Litestar(
        route_handlers=[
            public.router,
            auth.router,
            participant.router,
            organiser.router,
            api.router,
            agenda.participant_router,
            agenda.organiser_router,
            agenda.feed_router,
            printing.router,
            outbox.router,
            jobs.router,
            setup.router,
            transfer.router,
            schedule.router,
            requests_web.router,
            notifications_web.router,
            profile.registration_router,
            profile.router,
            availability_web.router,
            directory_web.router,
            approvals.router,
            solve_web.router,
            confirmations_web.host_router,
            confirmations_web.organiser_router,
            suggestions_web.router,
            report_web.router,
            report_web.public_router,
            desk_web.router,
            desk_web.public_router,
            onsite_web.router,
            feedback_web.router,
            create_static_files_router(
                path="/static", directories=[resource_dir("static")], name="static"
            ),
        ],
        state=state,
        dependencies={
            "db": Provide(provide_db),  # an async generator: ended on the loop
            "account": Provide(provide_account, sync_to_thread=False),
            "user": Provide(provide_user, sync_to_thread=False),
            "event": Provide(provide_event, sync_to_thread=False),
        },
        middleware=[
            DefineMiddleware(
                IdentityMiddleware,
                signer=state.signer,
                default_locale=settings.default_locale,
            ),
            RequestSessionMiddleware,
        ],
        csrf_config=CSRFConfig(
            secret=secret,
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            exclude=["/calendar/"],
        ),
        template_config=TemplateConfig(
            directory=resource_dir("templates"),
            engine=JinjaTemplateEngine,
            engine_callback=_template_engine_callback,
        ),
        plugins=[HTMXPlugin()],
        exception_handlers=exception_handlers,
        before_request=refuse_non_form_bodies,
        before_send=[_no_store],
        response_headers=SECURITY_HEADERS,
        openapi_config=openapi_config,
        request_max_body_size=settings.max_body_bytes,
        debug=settings.debug,
    )


def served_app() -> ASGIApp:
    """What `matchmaker serve` runs in each worker process: the app behind the guard
    that answers "busy, retry" at once when the process is past its ceiling."""
    settings = Settings()
    return OverloadGuard(
        create_app(settings),
        max_inflight=settings.max_inflight,
        max_lag=settings.max_lag_ms / 1000,
    )

