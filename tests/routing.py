"""The application's route table, read from the app itself, for table-driven tests.

Every route states who may use it through its guards (matchmaker/web/guards.py).
A route without a guard must be listed in PUBLIC, with the reason it is public.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

ROLES = ("participant", "organiser")

# Which signed-in roles each guard admits. A new guard must be added here.
GUARD_ROLES: dict[str, frozenset[str]] = {
    "signed_in": frozenset(ROLES),
    "organiser_only": frozenset({"organiser"}),
    "participant_only": frozenset({"participant"}),
}

# (method, path template) of the routes anyone may use, and why.
PUBLIC: dict[tuple[str, str], str] = {
    ("GET", "/"): "event home",
    ("POST", "/lang"): "language switch",
    ("GET", "/signin"): "sign-in form",
    ("POST", "/signin"): "sign-in",
    ("GET", "/signin/link/{token:str}"): "personal link (shows a button)",
    ("POST", "/signin/link/{token:str}"): "personal link (the token is the credential)",
    ("GET", "/calendar/{token:str}"): "calendar feed (the token is the credential)",
    ("GET", "/register"): "self-registration form",
    ("POST", "/register"): "self-registration",
    ("GET", "/register/sent"): "self-registration: check your email",
    ("GET", "/health"): "liveness probe for a load balancer (no data)",
    ("GET", "/signin/new-link"): "ask for a new personal link (same answer for every address)",
    ("POST", "/signin/new-link"): "ask for a new personal link (rate-limited like sign-in)",
    ("GET", "/report"): "the report summary, when the organisers chose to show it (no names)",
    ("GET", "/board/{key:str}"): "live table board for a TV (the link's key is the credential)",
}

# Served files, not pages.
SKIPPED_PREFIXES = ("/static/",)


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str  # the template, e.g. /organiser/participants/{participant_id:int}
    params: tuple[tuple[str, str, type], ...]  # (name, placeholder, type)
    guards: tuple[str, ...]
    handler: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api")

    @property
    def is_public(self) -> bool:
        return self.key in PUBLIC

    def allowed_roles(self) -> frozenset[str] | None:
        """Roles the guards admit; None when a guard is not known to this table."""
        allowed = frozenset(ROLES)
        for guard in self.guards:
            if guard not in GUARD_ROLES:
                return None
            allowed &= GUARD_ROLES[guard]
        return allowed

    def url(self, ids: dict[str, int], default_id: int = 1) -> str:
        path = self.path
        for name, placeholder, kind in self.params:
            path = path.replace(placeholder, _sample(name, kind, ids, default_id))
        return path

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.handler})"


def _sample(name: str, kind: type, ids: dict[str, int], default_id: int) -> str:
    value: Any
    if kind is int:
        value = ids.get(name, default_id)
    elif kind is uuid.UUID:
        value = uuid.UUID(int=1)
    elif kind is date:
        value = "2023-05-18"
    elif kind is datetime:
        value = "2023-05-18T08:00:00"
    elif kind is float:
        value = "1.0"
    elif kind is Path:
        value = "x"
    else:
        value = "x"
    return str(value)


def _guard_name(guard: Any) -> str:
    function = getattr(guard, "func", guard)  # Litestar wraps guards in AsyncCallable
    return str(getattr(function, "__name__", repr(function)))


def route_cases(app: Litestar) -> list[RouteCase]:
    """Every (method, path) the app answers, OPTIONS/HEAD and static files aside."""
    cases = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(SKIPPED_PREFIXES):
            continue
        params = tuple(
            (name, "{" + definition.full + "}", definition.type)
            for name, definition in route.path_parameters.items()
        )
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                guards = tuple(_guard_name(g) for g in handler.resolve_guards())
                cases.append(RouteCase(method, route.path, params, guards, handler.handler_name))
    return sorted(cases, key=lambda c: (c.path, c.method))
