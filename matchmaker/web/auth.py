"""Signing in and out: organiser password, participant personal link."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from matchmaker import accounts, profiles
from matchmaker.clock import utcnow
from matchmaker.errors import DomainError
from matchmaker.i18n import N_
from matchmaker.models import Account, Role
from matchmaker.web.actions import path_to
from matchmaker.web.deps import DB, MaybeAccount
from matchmaker.web.forms import FormData, safe_next, text
from matchmaker.web.guards import identity_of, signed_in
from matchmaker.web.render import error_text, page
from matchmaker.web.session_cookie import (
    Identity,
    expired_session_cookie,
    lang_cookie,
    session_cookie,
)


def landing(request: Request, account: Account) -> str:
    """Where an account starts: the organiser's console or the participant's page."""
    return path_to(
        request, "organiser_home" if account.role is Role.organiser else "participant_home"
    )


CSRF_COOKIE = "csrftoken"  # Litestar's CSRFConfig default


def signed_in_redirect(
    request: Request, account: Account, target: str, *, by_link: bool = False
) -> Redirect:
    """Open a session for `account` (in its current generation) and go to `target`;
    `by_link` when a personal link opened it."""
    settings = request.app.state.settings
    assert account.id is not None
    value = request.app.state.signer.dumps(
        Identity(
            account.id,
            account.role.value,
            account.session_generation,
            link_at=int(utcnow().timestamp()) if by_link else 0,
        )
    )
    return Redirect(
        target,
        status_code=303,
        cookies=[
            session_cookie(value, secure=settings.secure_cookies),
            lang_cookie(account.locale, secure=settings.secure_cookies),
            # A new CSRF token for the new session: the next page gets one (a token
            # someone planted before the sign-in stops working).
            Cookie(
                key=CSRF_COOKIE, value="", max_age=0, samesite="lax", secure=settings.secure_cookies
            ),
        ],
    )


# How long after signing in through a personal link a new password may be set without
# the current one (the forgotten-password path: the link proved the address).
LINK_PROOF_SECONDS = 15 * 60


def opened_by_link_recently(request: Request) -> bool:
    identity = identity_of(request)
    if identity is None or not identity.link_at:
        return False
    return 0 <= utcnow().timestamp() - identity.link_at <= LINK_PROOF_SECONDS


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def password_limits(request: Request) -> dict[str, Any]:
    """The sign-in form's rate limits, for every form that checks a password."""
    settings = request.app.state.settings
    return {
        "client": client_address(request),
        "max_attempts": settings.login_max_attempts,
        "window_seconds": settings.login_window_seconds,
        "max_client_attempts": settings.login_max_client_attempts,
    }


@get("/signin", name="signin", sync_to_thread=False)
def signin_form(request: Request, account: MaybeAccount, next: FromQuery[str] = "") -> Response:
    if account is not None:
        return Redirect(landing(request, account))
    return page("auth/signin.html", values={"email": "", "next": next}, errors={})


@post("/signin", name="signin_submit", sync_to_thread=False)
def signin_submit(request: Request, db: DB, data: FormData) -> Response:
    email = text(data, "email", 254)
    password = text(data, "password", accounts.PASSWORD_FIELD_LENGTH)
    values = {"email": email, "next": text(data, "next")}
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = N_("Enter your email address.")
    if not password:
        errors["password"] = N_("Enter your password.")
    if errors:
        return page("auth/signin.html", status=400, values=values, errors=errors)
    try:
        account = accounts.authenticate(db, email, password, **password_limits(request))
    except DomainError as exc:
        # The failed attempt must be stored even though the answer is an error.
        db.commit()
        errors["password"] = error_text(request, exc)
        return page("auth/signin.html", status=exc.status_code, values=values, errors=errors)
    target = safe_next(values["next"], landing(request, account))
    return signed_in_redirect(request, account, target)


@get("/signin/link/{token:str}", name="signin_link", sync_to_thread=False)
def signin_link(token: FromPath[str]) -> Response:
    # A GET only shows a button: link scanners in mail systems must not use up the link.
    return page("auth/link.html", token=token, error="")


@post("/signin/link/{token:str}", name="signin_link_submit", sync_to_thread=False)
def signin_link_submit(request: Request, db: DB, token: FromPath[str]) -> Response:
    try:
        account = accounts.redeem_sign_in_token(db, token)
    except DomainError as exc:
        return page("auth/link.html", status=400, token="", error=error_text(request, exc))
    if profiles.confirm_registration(db, account):
        return signed_in_redirect(request, account, "/me/profile?saved=registered", by_link=True)
    return signed_in_redirect(request, account, landing(request, account), by_link=True)


@get("/signin/new-link", name="new_link_form", sync_to_thread=False)
def new_link_form(email: FromQuery[str] = "") -> Response:
    return page("auth/new_link.html", email=email[:254], error="")


@post("/signin/new-link", name="new_link_submit", sync_to_thread=False)
def new_link_submit(request: Request, db: DB, data: FormData) -> Response:
    """"E-mail me a new link": the same answer whether or not the address has an
    account; counted under the sign-in limits."""
    email = text(data, "email", 254)
    if not email or "@" not in email:
        error = error_text(request, DomainError(N_("Enter your email address.")))
        return page("auth/new_link.html", status=400, email=email, error=error)
    settings = request.app.state.settings
    try:
        profiles.send_new_link(
            db, email, link_hours=settings.sign_in_link_hours, limits=password_limits(request)
        )
    except DomainError as exc:
        error = error_text(request, exc)
        return page("auth/new_link.html", status=exc.status_code, email=email, error=error)
    return page("auth/new_link_sent.html", hours=settings.sign_in_link_hours)


@post("/signout", name="signout", guards=[signed_in], sync_to_thread=False)
def signout(request: Request, db: DB, account: MaybeAccount) -> Redirect:
    if account is not None:
        accounts.end_sessions(db, account)  # a copied cookie stops working too
    settings = request.app.state.settings
    return Redirect(
        path_to(request, "home"),
        status_code=303,
        cookies=[expired_session_cookie(secure=settings.secure_cookies)],
    )


router = Router(
    path="/",
    route_handlers=[
        signin_form,
        signin_submit,
        signin_link,
        signin_link_submit,
        new_link_form,
        new_link_submit,
        signout,
    ],
)
