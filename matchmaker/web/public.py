"""Public pages: the event home, the language switch and the health check."""

from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.response import Redirect

from matchmaker.directory import counts_by_kind
from matchmaker.i18n import LOCALES
from matchmaker.web.deps import DB, MaybeAccount, MaybeEvent
from matchmaker.web.forms import FormData, safe_next, text
from matchmaker.web.render import page
from matchmaker.web.session_cookie import lang_cookie


@get("/", name="home", sync_to_thread=False)
def home(db: DB, event: MaybeEvent, account: MaybeAccount) -> Response:
    counts = counts_by_kind(db, event) if event else {}
    return page("home.html", event=event, counts=counts, account=account)


@post("/lang", name="set_language", sync_to_thread=False)
def set_language(request: Request, db: DB, account: MaybeAccount, data: FormData) -> Redirect:
    locale = text(data, "locale")
    target = safe_next(text(data, "next"), request.app.route_reverse("home"))
    if locale not in LOCALES:
        return Redirect(target, status_code=303)
    if account is not None:
        account.locale = locale
        db.add(account)
    settings = request.app.state.settings
    return Redirect(
        target, status_code=303, cookies=[lang_cookie(locale, secure=settings.secure_cookies)]
    )


@get(
    "/health",
    name="health",
    sync_to_thread=False,
    exclude_from_csrf=True,  # no CSRF cookie to mint: monitors and the load benchmark
    include_in_schema=False,
)
def health() -> dict[str, str]:
    """The process answers: no database, template or sign-in behind it (the load
    benchmark's reference route; a proxy's or monitor's liveness probe)."""
    return {"status": "ok"}


router = Router(path="/", route_handlers=[home, set_language, health])
