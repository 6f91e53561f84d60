"""Rendering helpers: templates with the request's language, and translated text."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.plugins.htmx import HTMXTemplate

from matchmaker import i18n
from matchmaker.errors import DomainError
from matchmaker.templating import configure_environment

__all__ = ["configure_environment", "error_text", "gettext_for", "locale_of", "page", "site_url"]


def locale_of(request: Request) -> str:
    return str(request.scope.get("state", {}).get("locale", "vi"))


def gettext_for(request: Request, message: str, **params: Any) -> str:
    text = i18n.translations(locale_of(request)).gettext(message)
    return text % params if params else text


def error_text(request: Request, error: DomainError) -> str:
    return gettext_for(request, error.message, **error.params)


def site_url(request: Request) -> str:
    """The start of every absolute link the app hands out: MATCHMAKER_BASE_URL when
    set, else the address this request came to (scheme, Host header and port)."""
    return request.app.state.settings.base_url or str(request.base_url).rstrip("/")


def page(template: str, *, status: int = 200, **context: Any) -> HTMXTemplate:
    return HTMXTemplate(template_name=template, context=context, status_code=status)
