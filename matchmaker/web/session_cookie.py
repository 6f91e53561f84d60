"""The sign-in session: a signed, HttpOnly, SameSite cookie holding the account id.

A middleware reads it once per request and puts who is asking (and the
interface language) into the connection state, where guards look.
"""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Receive, Scope, Send

from matchmaker.i18n import normalise_locale

SESSION_COOKIE = "mm_session"
SESSION_SALT = "matchmaker-session"
LANG_COOKIE = "mm_lang"
SESSION_MAX_AGE = 14 * 24 * 3600
LANG_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Identity:
    account_id: int
    role: str
    # The account's session generation when the cookie was signed: a sign-out moves the
    # account to the next one and every older cookie stops working (guards, deps).
    generation: int = 0
    # When the session was opened through a personal link (Unix seconds; 0 otherwise): for
    # a short while that proves control of the address, as a password reset link would.
    link_at: int = 0


class SessionSigner:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SESSION_SALT)

    def dumps(self, identity: Identity) -> str:
        data: dict[str, Any] = {
            "a": identity.account_id,
            "r": identity.role,
            "g": identity.generation,
        }
        if identity.link_at:
            data["l"] = identity.link_at
        return self._serializer.dumps(data)

    def loads(self, value: str) -> Identity | None:
        try:
            data = self._serializer.loads(value, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("a"), int):
            return None
        generation = data.get("g", 0)
        link_at = data.get("l", 0)
        return Identity(
            account_id=data["a"],
            role=str(data.get("r", "")),
            generation=generation if isinstance(generation, int) else -1,
            link_at=link_at if isinstance(link_at, int) else 0,
        )


def session_cookie(value: str, *, secure: bool) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def expired_session_cookie(*, secure: bool) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE, value="", max_age=0, httponly=True, samesite="lax", secure=secure
    )


def lang_cookie(locale: str, *, secure: bool) -> Cookie:
    return Cookie(
        key=LANG_COOKIE, value=locale, max_age=LANG_MAX_AGE, samesite="lax", secure=secure
    )


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


class IdentityMiddleware:
    """Puts `identity` and `locale` into scope state for every HTTP request."""

    def __init__(self, app: ASGIApp, signer: SessionSigner, default_locale: str) -> None:
        self.app = app
        self.signer = signer
        self.default_locale = default_locale

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            read_identity(scope, self.signer, self.default_locale)
        await self.app(scope, receive, send)


def read_identity(scope: Scope, signer: SessionSigner, default_locale: str) -> None:
    """Put `identity` and `locale` from the cookies into the scope state. The
    middleware does it for every routed request; error pages for requests that
    matched no route (404, 405) call it themselves."""
    cookies = _cookies(scope)
    state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item]
    raw = cookies.get(SESSION_COOKIE)
    state["identity"] = signer.loads(raw) if raw else None
    state["locale"] = normalise_locale(cookies.get(LANG_COOKIE), default_locale)
