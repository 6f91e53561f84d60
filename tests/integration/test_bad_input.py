"""Bad input gets a clear 4xx page (or JSON under /api), never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlmodel import Session

from matchmaker.settings import Settings
from matchmaker.web.session_cookie import LANG_COOKIE, SESSION_COOKIE
from tests.conftest import TEST_SECRET, csrf_token
from tests.sessions import World, make_world, open_session, sqlite_only

MAX_BODY = 4096
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", secret_key=TEST_SECRET, max_body_bytes=MAX_BODY)


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def _post_raw(client: TestClient, url: str, body: bytes, content_type: str = FORM):  # type: ignore[no-untyped-def]
    headers = {"content-type": content_type, "x-csrftoken": csrf_token(client)}
    return client.post(url, content=body, headers=headers, follow_redirects=False)


# Malformed form bodies


@sqlite_only
@pytest.mark.parametrize(
    "body",
    [
        b"%zz%&&==&email",
        b"\xff\xfe\x00\x01",
        b"email=a%00b%40example.vn&password=long-enough-password",
        b"email=a@b.vn&email=c@d.vn&password=x&password=y",
        b"=" * 500,
    ],
)
def test_bad_input_malformed_signin_form_is_400(client: TestClient, body: bytes) -> None:
    response = _post_raw(client, "/signin", body)
    assert response.status_code == 400
    assert '<html lang="vi">' in response.text


@sqlite_only
def test_bad_input_malformed_password_form_is_400(client: TestClient, world: World) -> None:
    open_session(client, world.own_account)
    response = _post_raw(client, "/me/password", b"password&password_repeat=%%%")
    assert response.status_code == 400


@sqlite_only
def test_bad_input_multipart_garbage_is_400(client: TestClient) -> None:
    response = _post_raw(client, "/signin", b"--xyz\r\njunk", "multipart/form-data; boundary=xyz")
    assert response.status_code == 400


# Unknown ids and paths


@pytest.mark.parametrize(
    ("locale", "title"), [("vi", "Không tìm thấy trang"), ("en", "Page not found")]
)
def test_bad_input_unknown_id_is_404_page_in_both_languages(
    client: TestClient, world: World, locale: str, title: str
) -> None:
    open_session(client, world.organiser)
    client.cookies.set(LANG_COOKIE, locale)
    response = client.get("/organiser/participants/999999")
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in response.text
    assert f'<html lang="{locale}">' in response.text
    assert 'action="/signout"' in response.text  # still signed in on the error page


@pytest.mark.parametrize(
    "url",
    [
        "/organiser/participants/abc",
        "/organiser/participants/-1",
        "/organiser/participants/99999999999999999999",
        "/no/such/page",
        "/static/../pyproject.toml",
        "/static/%2e%2e/pyproject.toml",
        "/static/js/nothing.js",
    ],
)
def test_bad_input_unknown_path_or_id_is_4xx(client: TestClient, world: World, url: str) -> None:
    open_session(client, world.organiser)
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith("text/html")


# Oversized bodies


@sqlite_only
def test_bad_input_oversized_body_is_413_page(client: TestClient) -> None:
    response = _post_raw(client, "/signin", b"email=" + b"a" * (MAX_BODY * 2))
    assert response.status_code == 413
    assert "<h1>Dữ liệu bạn gửi quá lớn</h1>" in response.text
    assert "Hãy gửi ít dữ liệu hơn trong một lần." in response.text


@sqlite_only
def test_bad_input_oversized_chunked_body_without_length_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"email="
        for _ in range(10):
            yield b"a" * 1024

    headers = {"content-type": FORM, "x-csrftoken": csrf_token(client)}
    response = client.post("/signin", content=chunks(), headers=headers)
    assert response.status_code == 413


@sqlite_only
def test_bad_input_body_just_under_limit_is_read(client: TestClient) -> None:
    body = b"email=a%40b.vn&password=" + b"p" * 1000
    assert len(body) < MAX_BODY
    assert _post_raw(client, "/signin", body).status_code == 400  # wrong password, not 413


# Wrong content types


@sqlite_only
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"email": "a@b.vn", "password": "x"}'),
        ("text/xml", b"<signin><email>a@b.vn</email></signin>"),
        ("text/plain", b"email=a@b.vn"),
        ("application/octet-stream", b"\x00\x01\x02"),
    ],
)
def test_bad_input_non_form_body_to_form_endpoint_is_415(
    client: TestClient, content_type: str, body: bytes
) -> None:
    response = _post_raw(client, "/signin", body, content_type)
    assert response.status_code == 415
    assert "<h1>Loại nội dung này không được chấp nhận</h1>" in response.text


@sqlite_only
def test_bad_input_empty_post_without_content_type_is_a_form(
    client: TestClient, world: World
) -> None:
    open_session(client, world.organiser)
    response = client.post(
        "/signout", headers={"x-csrftoken": csrf_token(client)}, follow_redirects=False
    )
    assert response.status_code == 303


# Invalid query parameters


@sqlite_only
@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "0"},
        {"page": "-3"},
        {"page": "1.5"},
        {"page": "99999999999999999999"},
        {"kind": "nonsense"},
        {"q": "x" * 201},
    ],
)
def test_bad_input_invalid_query_is_400_page(
    client: TestClient, world: World, params: dict[str, str]
) -> None:
    open_session(client, world.organiser)
    response = client.get("/organiser", params=params)
    assert response.status_code == 400
    assert "<h1>Không hiểu được yêu cầu</h1>" in response.text
    assert "Một số trường còn thiếu hoặc không hợp lệ." in response.text


@pytest.mark.parametrize("q", ["\x00", "abc\x00def", "%", "_", "\\", "'; drop table account; --"])
def test_bad_input_odd_search_text_is_not_a_server_error(
    client: TestClient, world: World, q: str
) -> None:
    open_session(client, world.organiser)
    page = client.get("/organiser", params={"q": q})
    api = client.get("/api/participants", params={"q": q})
    assert page.status_code in (200, 400)
    assert api.status_code in (200, 400)


# API errors are JSON


@sqlite_only
@pytest.mark.parametrize(
    ("params", "key"), [({"page": "abc"}, "page"), ({"kind": "nonsense"}, "kind")]
)
def test_bad_input_api_validation_error_is_json_400(
    client: TestClient, world: World, params: dict[str, str], key: str
) -> None:
    open_session(client, world.organiser)
    response = client.get("/api/participants", params=params)
    assert response.status_code == 400
    body = response.json()
    assert (body["status_code"], body["error"]) == (400, "validation")
    assert body["detail"] == "Một số trường còn thiếu hoặc không hợp lệ."
    assert [item["key"] for item in body["extra"]] == [key]


@sqlite_only
def test_bad_input_api_unknown_path_is_json_404(client: TestClient, world: World) -> None:
    open_session(client, world.organiser)
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"status_code": 404, "error": "Không tìm thấy trang", "detail": ""}


@sqlite_only
def test_bad_input_api_wrong_method_is_json_405(client: TestClient, world: World) -> None:
    open_session(client, world.organiser)
    response = client.post("/api/me", headers={"x-csrftoken": csrf_token(client)})
    assert response.status_code == 405
    assert response.json()["status_code"] == 405


@sqlite_only
def test_bad_input_api_anonymous_is_json_401(client: TestClient) -> None:
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json() == {"status_code": 401, "error": "Vui lòng đăng nhập", "detail": ""}


# Wrong methods and cookies


@sqlite_only
@pytest.mark.parametrize(
    ("method", "url"), [("GET", "/signout"), ("DELETE", "/"), ("PUT", "/lang")]
)
def test_bad_input_wrong_method_is_405_page(client: TestClient, method: str, url: str) -> None:
    response = client.request(method, url, headers={"x-csrftoken": csrf_token(client)})
    assert response.status_code == 405
    assert "<h1>Không thể thực hiện thao tác này ở đây</h1>" in response.text


@sqlite_only
@pytest.mark.parametrize(
    "cookie", ["garbage", "", "eyJhIjoxfQ.forged.signature", "a" * 4000, '"quoted;value"']
)
def test_bad_input_tampered_session_cookie_is_anonymous(client: TestClient, cookie: str) -> None:
    client.cookies.set(SESSION_COOKIE, cookie)
    response = client.get("/organiser", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/signin?next=/organiser"


def test_bad_input_session_for_missing_account_is_anonymous(client: TestClient) -> None:
    from matchmaker.web.session_cookie import Identity

    client.cookies.set(
        SESSION_COOKIE, client.app.state.signer.dumps(Identity(account_id=4242, role="organiser"))
    )
    response = client.get("/organiser", follow_redirects=False)
    assert response.status_code == 302


@sqlite_only
def test_bad_input_unknown_language_cookie_falls_back_to_vietnamese(client: TestClient) -> None:
    client.cookies.set(LANG_COOKIE, "klingon")
    assert '<html lang="vi">' in client.get("/").text


# Every route, unknown ids


def test_bad_input_unknown_ids_are_404_on_every_route(client: TestClient, world: World) -> None:
    """Table-driven: each route with an id in its path, called by a role its guard
    admits (GET, and unsafe methods with an empty form) with an id that does not
    exist, answers 404 or 400 (never 500, never a success). Nothing exists, so
    nothing changes."""
    from tests.routing import route_cases

    answers = {}
    for case in route_cases(client.app):
        if not any(kind is int for _, _, kind in case.params):
            continue
        allowed = case.allowed_roles()
        role = "organiser" if allowed and "organiser" in allowed else "participant"
        open_session(client, world.account(role) if allowed else None)
        url = case.url({}, default_id=987654)
        headers = {"x-csrftoken": csrf_token(client)}
        data = {} if case.method == "GET" else {"field": ""}
        response = client.request(
            case.method, url, data=data, headers=headers, follow_redirects=False
        )
        answers[f"{case.method} {url} as {role}"] = response.status_code
    wrong = {key: status for key, status in answers.items() if status not in (400, 404)}
    assert not wrong, "\n".join(f"{key}: {status}" for key, status in wrong.items())
    assert len(answers) >= 3


def test_bad_input_nul_character_in_form_is_not_a_server_error(client: TestClient) -> None:
    """PostgreSQL stores no NUL character; form text drops it before any query."""
    response = _post_raw(client, "/signin", b"email=a%00b%40example.vn&password=long-password-1")
    assert response.status_code == 400
    assert "Sai email hoặc mật khẩu." in response.text
