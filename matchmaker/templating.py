"""The Jinja environment of pages and documents: translations, event-time formatting,
vocabulary labels. The web application configures its template engine with it, and a
job worker (which has no application) builds its own for the documents it renders."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context
from jinja2.runtime import Context

from matchmaker import i18n, reasons, vocabulary
from matchmaker.models import Meeting, RunReason
from matchmaker.paths import resource_dir


def _locale(ctx: Context) -> str:
    if ctx.get("render_locale"):  # documents rendered outside a request (PDF, email)
        return str(ctx["render_locale"])
    request = ctx.get("request")
    if request is None:
        return "vi"
    return str(request.scope.get("state", {}).get("locale", "vi"))


@pass_context
def _gettext(ctx: Context, message: str) -> str:
    return i18n.translations(_locale(ctx)).gettext(message)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
    return i18n.translations(_locale(ctx)).ngettext(singular, plural, n)


@pass_context
def _pgettext(ctx: Context, context: str, message: str) -> str:
    return i18n.translations(_locale(ctx)).pgettext(context, message)


@pass_context
def _fmt_datetime(ctx: Context, value: Any, tz: str = "Asia/Ho_Chi_Minh") -> str:
    return i18n.fmt_datetime(value, _locale(ctx), tz) if value else ""


@pass_context
def _fmt_time(ctx: Context, value: Any, tz: str = "Asia/Ho_Chi_Minh") -> str:
    return i18n.fmt_time(value, _locale(ctx), tz) if value else ""


@pass_context
def _fmt_date(ctx: Context, value: Any, fmt: str = "full") -> str:
    return i18n.fmt_date(value, _locale(ctx), fmt) if value else ""


@pass_context
def _current_locale(ctx: Context) -> str:
    return _locale(ctx)


@pass_context
def _pick(ctx: Context, vi: str, en: str) -> str:
    """Choose the Vietnamese or English variant of a stored bilingual field."""
    return vi if _locale(ctx) == "vi" else (en or vi)


@pass_context
def _reason_text(
    ctx: Context, item: RunReason | Meeting, names: reasons.Names | None = None
) -> str:
    """Why a meeting has no slot, in the page's language, with ``names`` or else the
    ``reason_names`` (a ``reasons.Names``) the page was given."""
    names = names or ctx.get("reason_names") or reasons.Names()
    if isinstance(item, Meeting):
        return reasons.meeting_reason(item, names, _locale(ctx))
    return reasons.describe(item, names, _locale(ctx))


def configure_environment(env: Environment) -> None:
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, newstyle=True
    )
    env.globals.update(
        current_locale=_current_locale,
        pick=_pick,
        reason_text=_reason_text,
        LOCALE_NAMES=i18n.LOCALE_NAMES,
    )
    env.filters.update(datetime=_fmt_datetime, time=_fmt_time, date=_fmt_date)
    vocabulary.install(env)
    env.autoescape = True
    env.trim_blocks = True
    env.lstrip_blocks = True


@cache
def document_environment() -> Environment:
    """The templates as the web application sees them, for rendering outside a request
    (documents made by a job); the locale comes from ``render_locale``."""
    env = Environment(loader=FileSystemLoader(resource_dir("templates")))
    configure_environment(env)
    return env
