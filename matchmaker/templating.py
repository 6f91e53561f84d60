"""The Jinja environment of pages and documents: translations, event-time formatting,
vocabulary labels. The web application configures its template engine with it, and a
job worker (which has no application) builds its own for the documents it renders."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from matchmaker import checkin, formats, i18n, notifications, reasons, vocabulary
from matchmaker.models import Meeting, Notification, RunReason
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


def _zone(ctx: Context, tz: str | None) -> str:
    """The zone a page shows times in: the one given, else its event's."""
    if tz:
        return tz
    event = ctx.get("event")
    return str(getattr(event, "timezone", "") or formats.DEFAULT_ZONE)


@pass_context
def _fmt_datetime(ctx: Context, value: Any, tz: str | None = None) -> str:
    return formats.format_datetime(value, _locale(ctx), _zone(ctx, tz)) if value else ""


@pass_context
def _fmt_daytime(ctx: Context, value: Any, tz: str | None = None) -> str:
    return formats.format_day_time(value, _locale(ctx), _zone(ctx, tz)) if value else ""


@pass_context
def _fmt_time(ctx: Context, value: Any, tz: str | None = None) -> str:
    return formats.format_time(value, _locale(ctx), _zone(ctx, tz)) if value else ""


@pass_context
def _fmt_timerange(ctx: Context, start: Any, end: Any, tz: str | None = None) -> str:
    if not start or not end:
        return ""
    return formats.format_time_range(start, end, _locale(ctx), _zone(ctx, tz))


@pass_context
def _fmt_date(ctx: Context, value: Any, tz: str | None = None) -> str:
    return formats.format_date(value, _locale(ctx), _zone(ctx, tz)) if value else ""


@pass_context
def _fmt_day(ctx: Context, value: Any, tz: str | None = None) -> str:
    return formats.format_day(value, _locale(ctx), _zone(ctx, tz)) if value else ""


@pass_context
def _note_subject(ctx: Context, note: Notification) -> str:
    """A notification's subject in the reader's language of the moment."""
    return notifications.subject_in(note, _locale(ctx))


@pass_context
def _note_body(ctx: Context, note: Notification) -> str:
    return notifications.body_in(note, _locale(ctx))


@pass_context
def _mail_configured(ctx: Context) -> bool:
    """Whether e-mails really go out (a mail server is configured): pages say so
    honestly instead of "sent"."""
    request = ctx.get("request")
    settings = getattr(getattr(request, "app", None), "state", None) if request else None
    smtp = getattr(getattr(settings, "settings", None), "smtp", None)
    return bool(getattr(smtp, "configured", False))


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


def _qr_svg(code: str, title: str = "") -> Markup:
    """A check-in code as an inline SVG QR code (segno's markup, escaped by it)."""
    return Markup(checkin.qr_svg(code, title=title))


def configure_environment(env: Environment) -> None:
    env.add_extension("jinja2.ext.i18n")
    env.add_extension("jinja2.ext.do")  # {% do rows.append(...) %}: chart rows in templates
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, newstyle=True
    )
    env.globals.update(
        current_locale=_current_locale,
        pick=_pick,
        reason_text=_reason_text,
        qr_svg=_qr_svg,
        note_subject=_note_subject,
        mail_configured=_mail_configured,
        note_body=_note_body,
        LOCALE_NAMES=i18n.LOCALE_NAMES,
    )
    env.filters.update(
        datetime=_fmt_datetime,
        daytime=_fmt_daytime,
        time=_fmt_time,
        timerange=_fmt_timerange,
        date=_fmt_date,
        day=_fmt_day,
    )
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
