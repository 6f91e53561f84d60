"""CSRF protection on every form and htmx request."""

from __future__ import annotations

from litestar.testing import TestClient
from sqlmodel import Session

from tests.conftest import csrf_token, post_form
from tests.factories import ORGANISER_PASSWORD, make_organiser
from tests.routing import route_cases
from tests.sessions import make_world, open_session, sqlite_only

pytestmark = sqlite_only  # CSRF is checked before anything reaches the database

FORBIDDEN_TITLE = "Bạn không có quyền truy cập trang này"


def test_csrf_post_without_token_is_refused(client: TestClient) -> None:
    csrf_token(client)  # the cookie alone is not enough
    response = client.post("/signin", data={"email": "a@b.vn", "password": "whatever-123"})
    assert response.status_code == 403
    assert FORBIDDEN_TITLE in response.text


def test_csrf_post_with_wrong_token_is_refused(client: TestClient) -> None:
    csrf_token(client)
    response = client.post(
        "/signin", data={"email": "a@b.vn", "password": "x", "_csrf_token": "forged-token"}
    )
    assert response.status_code == 403


def test_csrf_header_with_wrong_token_is_refused(client: TestClient) -> None:
    csrf_token(client)
    response = client.post("/lang", data={"locale": "en"}, headers={"x-csrftoken": "forged"})
    assert response.status_code == 403


def test_csrf_token_without_cookie_is_refused(client: TestClient) -> None:
    token = csrf_token(client)
    client.cookies.delete("csrftoken")
    response = client.post("/lang", data={"locale": "en", "_csrf_token": token})
    assert response.status_code == 403


def test_csrf_form_field_token_is_accepted(client: TestClient) -> None:
    response = client.post(
        "/lang",
        data={"locale": "en", "next": "/", "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_csrf_htmx_header_token_is_accepted(client: TestClient) -> None:
    """htmx sends the token from <body hx-headers> as the x-csrftoken header."""
    response = client.post(
        "/lang",
        data={"locale": "en", "next": "/"},
        headers={"x-csrftoken": csrf_token(client), "hx-request": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_csrf_page_carries_token_for_forms_and_htmx(client: TestClient) -> None:
    page = client.get("/signin")
    token = csrf_token(client)
    assert f'<body hx-headers=\'{{"x-csrftoken": "{token}"}}\'>' in page.text
    assert 'name="_csrf_token"' in page.text


def test_csrf_every_unsafe_route_refuses_requests_without_token(
    client: TestClient, db: Session
) -> None:
    """Table-driven: each POST/PUT/PATCH/DELETE route, signed in with the role its
    guard admits, answers 403 when the token is missing."""
    world = make_world(db)
    ids = {"participant_id": world.own.id or 0, "org_id": world.own_org.id or 0}
    answers = {}
    for case in route_cases(client.app):
        if case.method not in ("POST", "PUT", "PATCH", "DELETE"):
            continue
        allowed = case.allowed_roles() or frozenset()
        open_session(client, world.account(min(allowed)) if allowed else None)
        url = case.url(ids)
        answers[f"{case.method} {url}"] = client.request(
            case.method, url, data={"field": "value"}, follow_redirects=False
        ).status_code
    assert answers == dict.fromkeys(answers, 403)
    assert "POST /signin" in answers


def test_csrf_token_is_renewed_at_sign_in(client: TestClient, db: Session) -> None:
    organiser = make_organiser(db, "organiser@example.vn")
    db.commit()
    before = csrf_token(client)

    response = post_form(
        client,
        "/signin",
        {"email": organiser.email, "password": ORGANISER_PASSWORD},
        follow_redirects=False,
    )
    client.get("/organiser")

    assert response.status_code == 303
    cleared = [c for c in response.headers.get_list("set-cookie") if c.startswith("csrftoken=")]
    assert len(cleared) == 1
    assert "Max-Age=0" in cleared[0]
    assert csrf_token(client) != before
