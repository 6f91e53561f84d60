"""Vietnamese by default, English on request; the choice persists; every page renders in both."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlmodel import Session

from matchmaker import accounts
from matchmaker.models import Account
from matchmaker.web.session_cookie import LANG_COOKIE
from tests.conftest import post_form
from tests.routing import route_cases
from tests.sessions import make_world, open_session, sqlite_only


def _switch(client: TestClient, locale: str, next_url: str = "/"):  # type: ignore[no-untyped-def]
    return post_form(client, "/lang", {"locale": locale, "next": next_url}, follow_redirects=False)


@sqlite_only
def test_languages_vietnamese_is_the_default(client: TestClient, db: Session) -> None:
    make_world(db)
    page = client.get("/")
    assert '<html lang="vi">' in page.text
    assert "Thành phần tham dự" in page.text
    assert "Doanh nghiệp khởi nghiệp" in page.text
    assert "Thứ Năm, 18/05/2023" in page.text
    assert "Tuần lễ Chuyển đổi số Hậu Giang" in page.text


@sqlite_only
def test_languages_switch_to_english_persists_in_cookie(client: TestClient, db: Session) -> None:
    make_world(db)
    response = _switch(client, "en", "/signin?next=/me")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/me"
    assert client.cookies[LANG_COOKIE] == "en"
    home = client.get("/")
    assert '<html lang="en">' in home.text
    assert "Who takes part" in home.text
    assert "Thu 18 May 2023" in home.text
    assert "Hau Giang Digital Transformation Week" in home.text  # the event's English name
    assert ">Sign in</a>" in home.text


@sqlite_only
def test_languages_switch_back_to_vietnamese(client: TestClient) -> None:
    _switch(client, "en")
    _switch(client, "vi")
    page = client.get("/signin")
    assert '<html lang="vi">' in page.text
    assert "<h1>Đăng nhập</h1>" in page.text


@sqlite_only
def test_languages_unknown_locale_changes_nothing(client: TestClient) -> None:
    response = _switch(client, "fr")
    assert response.status_code == 303
    assert LANG_COOKIE not in client.cookies
    assert '<html lang="vi">' in client.get("/").text


@sqlite_only
def test_languages_foreign_next_is_not_followed(client: TestClient) -> None:
    response = _switch(client, "en", "https://evil.example/")
    assert response.headers["location"] == "/"


def test_languages_choice_is_stored_on_account_and_restored_at_sign_in(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    open_session(client, world.own_account)
    _switch(client, "en", "/me")
    stored = db.get(Account, world.own_account.id)
    assert stored is not None
    db.refresh(stored)
    assert stored.locale == "en"
    # Another browser, no language cookie: signing in brings the account's language.
    client.cookies.clear()
    token = accounts.issue_token(db, world.own_account)
    db.commit()
    post_form(client, f"/signin/link/{token}", {}, follow_redirects=False)
    assert client.cookies[LANG_COOKIE] == "en"
    page = client.get("/me")
    assert '<html lang="en">' in page.text
    assert "Welcome, Nguyễn Văn An" in page.text


@sqlite_only
def test_languages_error_pages_in_both_languages(client: TestClient) -> None:
    vi = client.get("/no-such-page")
    client.cookies.set(LANG_COOKIE, "en")
    en = client.get("/no-such-page")
    assert (vi.status_code, en.status_code) == (404, 404)
    assert "<h1>Không tìm thấy trang</h1>" in vi.text
    assert "<h1>Page not found</h1>" in en.text
    assert '<html lang="en">' in en.text


SCREENS = {"/organiser/board"}


@pytest.mark.parametrize("role", [None, "participant", "organiser"])
def test_languages_every_page_renders_in_both_languages(
    client: TestClient, db: Session, role: str | None
) -> None:
    """Each HTML page a role may open renders in Vietnamese and in English with the
    matching <html lang>, and the navigation's known strings change."""
    world = make_world(db)
    ids = {"participant_id": world.own.id or 0, "org_id": world.own_org.id or 0}
    nav = {"vi": "Đăng xuất" if role else "Đăng nhập", "en": "Sign out" if role else "Sign in"}
    problems = []
    pages = 0
    for case in route_cases(client.app):
        allowed = case.allowed_roles() or frozenset()
        visible = case.is_public if role is None else (role in allowed and not case.is_public)
        documents = case.path.endswith((".pdf", ".ics"))  # not pages; rendered elsewhere
        if case.method != "GET" or not visible or case.is_api or documents:
            continue
        for locale in ("vi", "en"):
            open_session(client, world.account(role))
            client.cookies.set(LANG_COOKIE, locale)
            url = case.url(ids)
            response = client.get(url, follow_redirects=False)
            if response.status_code >= 500:
                problems.append(f"{url} [{locale}]: {response.status_code}")
            elif "<html" in response.text:  # a whole page (htmx partials have no <html>)
                pages += 1
                # a table board is a screen for a TV, without navigation (its two
                # languages: tests/integration/test_board.py)
                screen = case.path in SCREENS
                if f'<html lang="{locale}">' not in response.text or (
                    nav[locale] not in response.text and not screen
                ):
                    problems.append(f"{url} [{locale}]: not rendered in {locale}")
    assert not problems, "\n".join(problems)
    assert pages >= 4
