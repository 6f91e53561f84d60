"""Every route's guard, table-driven over the app's own route table and every role.

The table is read from the running app (tests/routing.py), so a new route is
covered the moment it is registered: it must carry a guard from
matchmaker/web/guards.py, or be listed in tests/routing.py PUBLIC.
"""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from tests.conftest import csrf_token
from tests.routing import PUBLIC, RouteCase, route_cases
from tests.sessions import World, make_world, open_session

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _ids(world: World) -> dict[str, int]:
    """Path parameters are filled with ids that exist (the participant's own where
    the route is about one); any other name gets 1, the first row of its table."""
    return {
        "participant_id": world.own.id or 0,
        "org_id": world.own_org.id or 0,
        "organisation_id": world.own_org.id or 0,
        "event_id": world.event.id or 0,
    }


def _call(client: TestClient, case: RouteCase, url: str):  # type: ignore[no-untyped-def]
    headers = {"x-csrftoken": csrf_token(client)}
    if case.method in UNSAFE:
        return client.request(
            case.method, url, data={"field": ""}, headers=headers, follow_redirects=False
        )
    return client.request(case.method, url, headers=headers, follow_redirects=False)


def test_route_guards_every_route_is_guarded_or_public(app: Litestar) -> None:
    cases = route_cases(app)
    unguarded = [str(c) for c in cases if not c.guards and not c.is_public]
    unknown = [str(c) for c in cases if c.guards and c.allowed_roles() is None]
    guarded_public = [str(c) for c in cases if c.guards and c.is_public]
    stale = sorted(set(PUBLIC) - {c.key for c in cases})
    assert unguarded == [], "add a guard, or list the route in tests/routing.py PUBLIC"
    assert unknown == [], "a guard tests/routing.py GUARD_ROLES does not know"
    assert guarded_public == [], "listed as PUBLIC but guarded"
    assert stale == [], "PUBLIC lists routes that no longer exist"
    assert len(cases) >= 15


def test_route_guards_anonymous_is_sent_to_sign_in(client: TestClient, db: Session) -> None:
    world = make_world(db)
    failures = []
    for case in route_cases(client.app):
        open_session(client, None)
        response = _call(client, case, case.url(_ids(world)))
        status, location = response.status_code, response.headers.get("location", "")
        if case.is_public:
            ok = status < 500 and status not in (401, 403)
        elif case.method == "GET" and not case.is_api:
            ok = status in (302, 303) and location.startswith("/signin?next=")
        else:
            ok = status == 401
        if not ok:
            failures.append(f"{case}: {status} {location}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["participant", "organiser"])
def test_route_guards_roles_get_exactly_their_routes(
    client: TestClient, db: Session, role: str
) -> None:
    """Refused roles get 403 (page, or JSON under /api) before the handler runs;
    admitted roles get past the guard on every page (GET) without a server error.
    Unsafe methods are only sent where they are refused, so nothing is changed."""
    world = make_world(db)
    failures = []
    for case in route_cases(client.app):
        allowed = case.allowed_roles()
        if case.is_public or allowed is None:
            continue  # covered by the test above
        if role in allowed and case.method in UNSAFE:
            continue
        open_session(client, world.account(role))
        response = _call(client, case, case.url(_ids(world)))
        status = response.status_code
        if role not in allowed:
            json = response.headers.get("content-type", "").startswith("application/json")
            ok = status == 403 and json == case.is_api
        else:
            ok = status < 500 and status not in (401, 403)
        if not ok:
            failures.append(f"{case} as {role}: {status}")
    assert not failures, "\n".join(failures)


def test_route_guards_htmx_request_without_session_redirects_whole_page(
    client: TestClient,
) -> None:
    """htmx would swap a followed redirect's sign-in page into the fragment; it
    gets HX-Redirect to sign in instead, coming back to the page it was on."""
    response = client.get(
        "/organiser",
        params={"q": "an"},
        headers={
            "HX-Request": "true",
            "HX-Target": "participant-results",
            "HX-Current-URL": "http://testserver.local/organiser?q=an",
        },
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/signin?next=/organiser%3Fq%3Dan"
    assert response.text == ""
